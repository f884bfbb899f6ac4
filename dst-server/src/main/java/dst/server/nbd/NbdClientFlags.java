package dst.server.nbd;

import dst.protocol.nbd.Nbd;

/** The 32-bit client flags that open every newstyle handshake, right after the server's greeting. */
record NbdClientFlags(int flags) {
    boolean fixedNewstyle() {
        return (flags & Nbd.FLAG_C_FIXED_NEWSTYLE) != 0;
    }

    boolean noZeroes() {
        return (flags & Nbd.FLAG_C_NO_ZEROES) != 0;
    }
}
