package dst.it.harness;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server-process harness itself: free port, log capture, kill -9, restart on the same port, SIGTERM, clear start failures. */
class ServerProcessIT {
    @Test
    void killRestartAndTerminateOnTheSamePort() throws IOException {
        try (ServerProcess server = ServerProcess.start("harness-self", "disk=mem:1M")) {
            int port = server.port();
            assertTrue(port > 0);
            long firstPid = server.pid();
            try (RawConnection c = RawConnection.open(port, "disk")) {
                c.write(0, new byte[]{1, 2, 3});
            }

            server.kill9();
            assertFalse(server.isAlive());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "port still served after kill -9");

            server.restart();
            assertEquals(port, server.port(), "restart moved to another port");
            assertNotEquals(firstPid, server.pid());
            try (RawConnection c = RawConnection.open(port, "disk")) {
                assertArrayEquals(new byte[3], c.read(0, 3), "a memory export survived kill -9?");
            }

            assertEquals(143, server.terminate(Duration.ofSeconds(20)));
            String log = server.logText();
            assertEquals(2, log.split("listening on 127.0.0.1:" + port, -1).length - 1, "both runs logged to one file:\n" + log);
            assertTrue(log.contains("shutdown complete"), log);
        }
    }

    @Test
    void startFailureSaysWhyWithTheServersOwnWords() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ServerProcess.start("harness-bad", "disk=mem:1M,colour=blue").close());
        assertTrue(e.getMessage().contains("exited with 2") && e.getMessage().contains("colour=blue"), e.getMessage());
    }
}
