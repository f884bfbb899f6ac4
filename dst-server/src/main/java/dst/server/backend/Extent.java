package dst.server.backend;

/**
 * A run of an export's bytes with one allocation state: {@code hole} = not allocated in the backing store and
 * reading as zeros (a sparse file's hole, a memory chunk never written); otherwise data (or unknown). What NBD's
 * {@code base:allocation} and OFFSET_HOLE report.
 */
public record Extent(long length, boolean hole) {
    public Extent {
        if (length <= 0) throw new IllegalArgumentException("an extent has a positive length, got " + length);
    }
}
