package dst.client.core;

/**
 * A range of an export and whether it reads as zeros (a hole, or known zeros), as a server's block status
 * tells it; {@link BlockDevice#extents} answers with these.
 */
public record Extent(long offset, long length, boolean zero) {
    public long end() {
        return offset + length;
    }
}
