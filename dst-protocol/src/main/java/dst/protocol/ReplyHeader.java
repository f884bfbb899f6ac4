package dst.protocol;

/**
 * Byte layout of a reply header (big-endian).
 *
 * <pre>
 *  0      4      5      6        8                16       20              24             28            32
 * +------+------+------+--------+----------------+--------+---------------+--------------+-------------+
 * |magic |opcode|flags |reserved|transaction id  |status  |payload length |payload crc32c|header crc32c|
 * |u32   |u8    |u8    |u16 = 0 |u64             |u32     |u32            |u32           |u32          |
 * +------+------+------+--------+----------------+--------+---------------+--------------+-------------+
 * magic = 0x44535250 ("DSRP"). status = 0 or an errno. payload = READ data, or a UTF-8 error message.
 * header crc32c covers bytes 0..27.
 * </pre>
 */
public final class ReplyHeader {
    public static final int MAGIC = 0x44535250;
    public static final int OPCODE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int TRANSACTION_ID_OFFSET = 8;
    public static final int STATUS_OFFSET = 16;
    public static final int PAYLOAD_LENGTH_OFFSET = 20;
    public static final int PAYLOAD_CRC_OFFSET = 24;
    public static final int HEADER_CRC_OFFSET = 28;
    public static final int SIZE = 32;

    private ReplyHeader() {
    }
}
