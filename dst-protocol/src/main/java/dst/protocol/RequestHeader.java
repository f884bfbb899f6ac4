package dst.protocol;

/**
 * Byte layout of a request header (big-endian), as offsets in the Aeron flyweight style.
 *
 * <pre>
 *  0      4      5      6        8                16        24       28              32             36            40
 * +------+------+------+--------+----------------+---------+--------+---------------+--------------+-------------+
 * |magic |opcode|flags |reserved|transaction id  |offset   |length  |payload length |payload crc32c|header crc32c|
 * |u32   |u8    |u8    |u16 = 0 |u64             |u64      |u32     |u32            |u32           |u32          |
 * +------+------+------+--------+----------------+---------+--------+---------------+--------------+-------------+
 * magic = 0x44535251 ("DSRQ"). length = bytes covered; payload length = bytes that follow (WRITE only).
 * crc fields are 0 when crc32c is not negotiated; header crc32c covers bytes 0..35.
 * </pre>
 */
public final class RequestHeader {
    public static final int MAGIC = 0x44535251;
    public static final int OPCODE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int TRANSACTION_ID_OFFSET = 8;
    public static final int OFFSET_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    public static final int PAYLOAD_LENGTH_OFFSET = 28;
    public static final int PAYLOAD_CRC_OFFSET = 32;
    public static final int HEADER_CRC_OFFSET = 36;
    public static final int SIZE = 40;

    private RequestHeader() {
    }
}
