package dst.client.frontend.fuse;

/**
 * The parts of {@code linux/fuse.h} (protocol 7.x) this frontend speaks, named as there so a reader can check
 * them side by side: opcodes, INIT flags and the byte offsets of the structs it reads and writes (all
 * little-endian on the machines dst runs on, as the kernel writes them in host order).
 */
final class FuseKernelAbi {
    private FuseKernelAbi() {
    }

    static final int FUSE_KERNEL_VERSION = 7;
    /** The minor version we answer with at most: 7.31 has everything used here (max_pages is 7.28). */
    static final int FUSE_KERNEL_MINOR_VERSION = 31;
    static final long FUSE_ROOT_ID = 1;

    // enum fuse_opcode
    static final int FUSE_LOOKUP = 1;
    static final int FUSE_FORGET = 2;
    static final int FUSE_GETATTR = 3;
    static final int FUSE_SETATTR = 4;
    static final int FUSE_OPEN = 14;
    static final int FUSE_READ = 15;
    static final int FUSE_WRITE = 16;
    static final int FUSE_STATFS = 17;
    static final int FUSE_RELEASE = 18;
    static final int FUSE_FSYNC = 20;
    static final int FUSE_FLUSH = 25;
    static final int FUSE_INIT = 26;
    static final int FUSE_OPENDIR = 27;
    static final int FUSE_READDIR = 28;
    static final int FUSE_RELEASEDIR = 29;
    static final int FUSE_FSYNCDIR = 30;
    static final int FUSE_ACCESS = 34;
    static final int FUSE_INTERRUPT = 36;
    static final int FUSE_DESTROY = 38;
    static final int FUSE_BATCH_FORGET = 42;
    static final int FUSE_FALLOCATE = 43;

    // fuse_init_in.flags / fuse_init_out.flags
    static final int FUSE_ASYNC_READ = 1;
    static final int FUSE_BIG_WRITES = 1 << 5;
    static final int FUSE_ASYNC_DIO = 1 << 15;
    static final int FUSE_PARALLEL_DIROPS = 1 << 18;
    static final int FUSE_MAX_PAGES = 1 << 22;
    /** The kernel sends fuse_init_in.flags2 (the upper 32 flag bits). */
    static final int FUSE_INIT_EXT = 1 << 30;
    /** flags2 bit 7 (FUSE_HAS_RESEND, 1ULL << 39, Linux 6.9): the kernel takes FUSE_NOTIFY_RESEND. */
    static final int FUSE_HAS_RESEND_FLAGS2 = 1 << (39 - 32);

    // fuse_open_out.open_flags
    static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;

    // fuse_setattr_in.valid
    static final int FATTR_SIZE = 1 << 3;

    /** struct fuse_in_header: len u32, opcode u32, unique u64, nodeid u64, uid, gid, pid u32, total_extlen u16, padding u16. */
    static final int IN_HEADER_SIZE = 40;
    static final int IN_LEN = 0;
    static final int IN_OPCODE = 4;
    static final int IN_UNIQUE = 8;
    static final int IN_NODEID = 16;

    /** struct fuse_out_header: len u32, error s32, unique u64. */
    static final int OUT_HEADER_SIZE = 16;

    /** struct fuse_init_in: major, minor, max_readahead, flags (u32 each), then flags2 and unused. */
    static final int INIT_IN_MAJOR = 0;
    static final int INIT_IN_MINOR = 4;
    static final int INIT_IN_MAX_READAHEAD = 8;
    static final int INIT_IN_FLAGS = 12;
    static final int INIT_IN_FLAGS2 = 16;
    /** struct fuse_init_out (7.28+): 64 bytes. */
    static final int INIT_OUT_SIZE = 64;

    /** struct fuse_read_in / fuse_write_in: fh u64, offset u64, size u32, flags u32, lock_owner u64, flags u32, padding u32. */
    static final int RW_IN_OFFSET = 8;
    static final int RW_IN_SIZE = 16;
    static final int WRITE_IN_SIZE = 40;
    /** struct fuse_write_out: size u32, padding u32. */
    static final int WRITE_OUT_SIZE = 8;

    /** struct fuse_open_in: flags u32, open_flags u32. struct fuse_open_out: fh u64, open_flags u32, backing_id s32. */
    static final int OPEN_IN_FLAGS = 0;
    static final int OPEN_OUT_SIZE = 16;

    /** struct fuse_setattr_in: valid u32, padding u32, fh u64, size u64, ... */
    static final int SETATTR_IN_VALID = 0;
    static final int SETATTR_IN_SIZE = 16;

    /** struct fuse_fallocate_in: fh u64, offset u64, length u64, mode u32, padding u32. */
    static final int FALLOCATE_IN_OFFSET = 8;
    static final int FALLOCATE_IN_LENGTH = 16;
    static final int FALLOCATE_IN_MODE = 24;

    /** struct fuse_attr: 88 bytes; struct fuse_attr_out: attr_valid u64, attr_valid_nsec u32, dummy u32, attr. */
    static final int ATTR_SIZE = 88;
    static final int ATTR_OUT_SIZE = 16 + ATTR_SIZE;
    /** struct fuse_entry_out: nodeid, generation, entry_valid, attr_valid (u64), two u32 nsec, attr. */
    static final int ENTRY_OUT_SIZE = 40 + ATTR_SIZE;
    /** struct fuse_kstatfs: blocks, bfree, bavail, files, ffree (u64), bsize, namelen, frsize, padding, spare[6] (u32). */
    static final int STATFS_OUT_SIZE = 80;
    /** struct fuse_dirent: ino u64, off u64, namelen u32, type u32, name (padded to 8 bytes). */
    static final int DIRENT_HEADER_SIZE = 24;
}
