package dst.server.cli;

import dst.protocol.auth.ClientKey;
import dst.server.auth.ClientKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dst-server client add NAME}: a new identity with a fresh 256-bit key. */
@Command(name = "add", mixinStandardHelpOptions = true, header = "Create a client identity with a new 256-bit key.",
        description = {"Stores the key in the clients file and prints it once (or writes it to --key-file, mode 0600).",
                "Give the key to the client as a file (dst-client --key-file) or in DST_KEY; never on its command line."},
        footer = {"", "Examples:", "  dst-server client add alice --key-file /root/alice.key",
                "  dst-server client add bob --clients ./clients"})
final class ClientAddCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The identity, e.g. a host name.")
    String name;

    @Mixin
    ClientsFileOption clientsFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Write the key here (mode 0600) instead of printing it.")
    Path keyFile;

    @Option(names = "--force", description = "Replace the key of an existing identity (its old key stops working).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ClientKeys.checkName(name);
        ClientKeys keys = ClientKeys.load(clientsFile.path);
        if (keys.contains(name) && !force) {
            throw new IllegalArgumentException("client '" + name + "' exists in " + clientsFile.path + " (--force gives it a new key)");
        }
        if (keyFile != null && Files.exists(keyFile) && !force) {
            throw new IllegalArgumentException(keyFile + " exists (--force replaces it)");
        }
        byte[] key = ClientKey.generate();
        if (keyFile != null) ClientKey.write(keyFile, key); // first: a failure here leaves the clients file unchanged
        keys.with(name, key).save(clientsFile.path);
        if (keyFile != null) {
            System.out.println("added client '" + name + "' to " + clientsFile.path + "; its key is in " + keyFile + " (mode 0600)");
        } else {
            System.out.println("added client '" + name + "' to " + clientsFile.path + ". Its key, shown only this once:");
            System.out.println(ClientKey.toText(key));
            System.out.println("On the client, save it to a file with mode 0600 and use: --identity " + name + " --key-file FILE");
        }
        return 0;
    }
}
