package dst.server.ctl;

import sun.misc.Signal;

import java.util.logging.Logger;

/** SIGHUP reloads, as daemons do ({@code systemctl reload dst-server}, {@code kill -HUP PID}). */
public final class Sighup {
    private static final Logger LOG = Logger.getLogger(Sighup.class.getName());

    private Sighup() {
    }

    /** From now on each SIGHUP runs {@code reload} (on the JVM's signal thread; reloads are serialized). */
    public static void reloads(AccessReload reload) {
        Signal.handle(new Signal("HUP"), sig -> {
            LOG.info("SIGHUP: reloading the clients and access files");
            try {
                reload.reload();
            } catch (Exception e) {
                LOG.severe("reload (SIGHUP) failed, nothing changed: " + e.getMessage());
            }
        });
    }
}
