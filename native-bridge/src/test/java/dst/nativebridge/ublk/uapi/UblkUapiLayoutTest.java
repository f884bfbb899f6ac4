package dst.nativebridge.ublk.uapi;

import dst.nativebridge.uring.IoUringCqe;
import dst.nativebridge.uring.IoUringParams;
import dst.nativebridge.uring.IoUringSqe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves every ublk and io_uring offset, size and number dst mirrors in Java equals what the C
 * compiler computes from the real kernel headers: compiles {@code layout.c} with gcc, runs it and
 * compares its {@code name value} lines with the Java constants, both ways (nothing missing, nothing extra).
 */
class UblkUapiLayoutTest {

    @Test
    void javaMirrorsMatchTheKernelHeaders(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc not installed: cannot check ublk struct layouts (apt-get install gcc)");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/ublk_cmd.h")),
                "<linux/ublk_cmd.h> missing: cannot check ublk struct layouts (apt-get install linux-libc-dev)");
        Path src = dir.resolve("layout.c");
        try (InputStream in = getClass().getResourceAsStream("layout.c")) {
            Files.copy(in, src);
        }
        Path exe = dir.resolve("layout");
        run(dir, "gcc", "-Wall", "-Werror", "-o", exe.toString(), src.toString());
        Map<String, Long> fromC = new TreeMap<>();
        for (String line : run(dir, exe.toString()).split("\n")) {
            String[] f = line.trim().split(" ");
            fromC.put(f[0], Long.parseLong(f[1]));
        }
        assertEquals(new TreeMap<>(expected()), fromC);
    }

    private static Map<String, Long> expected() {
        Map<String, Long> m = new LinkedHashMap<>();
        put(m, "sizeof(ublksrv_ctrl_cmd)", UblksrvCtrlCmd.SIZEOF);
        put(m, "ublksrv_ctrl_cmd.dev_id", UblksrvCtrlCmd.DEV_ID);
        put(m, "ublksrv_ctrl_cmd.queue_id", UblksrvCtrlCmd.QUEUE_ID);
        put(m, "ublksrv_ctrl_cmd.len", UblksrvCtrlCmd.LEN);
        put(m, "ublksrv_ctrl_cmd.addr", UblksrvCtrlCmd.ADDR);
        put(m, "ublksrv_ctrl_cmd.data", UblksrvCtrlCmd.DATA);
        put(m, "sizeof(ublksrv_ctrl_dev_info)", UblksrvCtrlDevInfo.SIZEOF);
        put(m, "ublksrv_ctrl_dev_info.nr_hw_queues", UblksrvCtrlDevInfo.NR_HW_QUEUES);
        put(m, "ublksrv_ctrl_dev_info.queue_depth", UblksrvCtrlDevInfo.QUEUE_DEPTH);
        put(m, "ublksrv_ctrl_dev_info.state", UblksrvCtrlDevInfo.STATE);
        put(m, "ublksrv_ctrl_dev_info.max_io_buf_bytes", UblksrvCtrlDevInfo.MAX_IO_BUF_BYTES);
        put(m, "ublksrv_ctrl_dev_info.dev_id", UblksrvCtrlDevInfo.DEV_ID);
        put(m, "ublksrv_ctrl_dev_info.ublksrv_pid", UblksrvCtrlDevInfo.UBLKSRV_PID);
        put(m, "ublksrv_ctrl_dev_info.flags", UblksrvCtrlDevInfo.FLAGS);
        put(m, "ublksrv_ctrl_dev_info.ublksrv_flags", UblksrvCtrlDevInfo.UBLKSRV_FLAGS);
        put(m, "sizeof(ublksrv_io_desc)", UblksrvIoDesc.SIZEOF);
        put(m, "ublksrv_io_desc.op_flags", UblksrvIoDesc.OP_FLAGS);
        put(m, "ublksrv_io_desc.nr_sectors", UblksrvIoDesc.NR_SECTORS);
        put(m, "ublksrv_io_desc.start_sector", UblksrvIoDesc.START_SECTOR);
        put(m, "ublksrv_io_desc.addr", UblksrvIoDesc.ADDR);
        put(m, "sizeof(ublksrv_io_cmd)", UblksrvIoCmd.SIZEOF);
        put(m, "ublksrv_io_cmd.q_id", UblksrvIoCmd.Q_ID);
        put(m, "ublksrv_io_cmd.tag", UblksrvIoCmd.TAG);
        put(m, "ublksrv_io_cmd.result", UblksrvIoCmd.RESULT);
        put(m, "ublksrv_io_cmd.addr", UblksrvIoCmd.ADDR);
        put(m, "sizeof(ublk_param_basic)", UblkParams.BASIC_SIZEOF);
        put(m, "ublk_param_basic.attrs", UblkParams.BASIC_ATTRS);
        put(m, "ublk_param_basic.logical_bs_shift", UblkParams.BASIC_LOGICAL_BS_SHIFT);
        put(m, "ublk_param_basic.physical_bs_shift", UblkParams.BASIC_PHYSICAL_BS_SHIFT);
        put(m, "ublk_param_basic.io_opt_shift", UblkParams.BASIC_IO_OPT_SHIFT);
        put(m, "ublk_param_basic.io_min_shift", UblkParams.BASIC_IO_MIN_SHIFT);
        put(m, "ublk_param_basic.max_sectors", UblkParams.BASIC_MAX_SECTORS);
        put(m, "ublk_param_basic.chunk_sectors", UblkParams.BASIC_CHUNK_SECTORS);
        put(m, "ublk_param_basic.dev_sectors", UblkParams.BASIC_DEV_SECTORS);
        put(m, "ublk_param_basic.virt_boundary_mask", UblkParams.BASIC_VIRT_BOUNDARY_MASK);
        put(m, "sizeof(ublk_param_discard)", UblkParams.DISCARD_SIZEOF);
        put(m, "ublk_param_discard.discard_alignment", UblkParams.DISCARD_ALIGNMENT);
        put(m, "ublk_param_discard.discard_granularity", UblkParams.DISCARD_GRANULARITY);
        put(m, "ublk_param_discard.max_discard_sectors", UblkParams.DISCARD_MAX_DISCARD_SECTORS);
        put(m, "ublk_param_discard.max_write_zeroes_sectors", UblkParams.DISCARD_MAX_WRITE_ZEROES_SECTORS);
        put(m, "ublk_param_discard.max_discard_segments", UblkParams.DISCARD_MAX_DISCARD_SEGMENTS);
        put(m, "ublk_params.len", UblkParams.LEN);
        put(m, "ublk_params.types", UblkParams.TYPES);
        put(m, "ublk_params.basic", UblkParams.BASIC);
        put(m, "ublk_params.discard", UblkParams.DISCARD);
        put(m, "ublk_params.prefix", UblkParams.SIZEOF);

        put(m, "UBLK_CMD_GET_DEV_INFO", UblkCmd.UBLK_CMD_GET_DEV_INFO);
        put(m, "UBLK_CMD_ADD_DEV", UblkCmd.UBLK_CMD_ADD_DEV);
        put(m, "UBLK_CMD_DEL_DEV", UblkCmd.UBLK_CMD_DEL_DEV);
        put(m, "UBLK_CMD_START_DEV", UblkCmd.UBLK_CMD_START_DEV);
        put(m, "UBLK_CMD_STOP_DEV", UblkCmd.UBLK_CMD_STOP_DEV);
        put(m, "UBLK_CMD_SET_PARAMS", UblkCmd.UBLK_CMD_SET_PARAMS);
        put(m, "UBLK_CMD_GET_PARAMS", UblkCmd.UBLK_CMD_GET_PARAMS);
        put(m, "UBLK_CMD_START_USER_RECOVERY", UblkCmd.UBLK_CMD_START_USER_RECOVERY);
        put(m, "UBLK_CMD_END_USER_RECOVERY", UblkCmd.UBLK_CMD_END_USER_RECOVERY);
        put(m, "UBLK_CMD_GET_FEATURES", UblkCmd.UBLK_CMD_GET_FEATURES);
        put(m, "UBLK_IO_FETCH_REQ", UblkCmd.UBLK_IO_FETCH_REQ);
        put(m, "UBLK_IO_COMMIT_AND_FETCH_REQ", UblkCmd.UBLK_IO_COMMIT_AND_FETCH_REQ);
        unsigned(m, "UBLK_U_CMD_GET_DEV_INFO", UblkCmd.UBLK_U_CMD_GET_DEV_INFO);
        unsigned(m, "UBLK_U_CMD_ADD_DEV", UblkCmd.UBLK_U_CMD_ADD_DEV);
        unsigned(m, "UBLK_U_CMD_DEL_DEV", UblkCmd.UBLK_U_CMD_DEL_DEV);
        unsigned(m, "UBLK_U_CMD_START_DEV", UblkCmd.UBLK_U_CMD_START_DEV);
        unsigned(m, "UBLK_U_CMD_STOP_DEV", UblkCmd.UBLK_U_CMD_STOP_DEV);
        unsigned(m, "UBLK_U_CMD_SET_PARAMS", UblkCmd.UBLK_U_CMD_SET_PARAMS);
        unsigned(m, "UBLK_U_CMD_GET_PARAMS", UblkCmd.UBLK_U_CMD_GET_PARAMS);
        unsigned(m, "UBLK_U_CMD_START_USER_RECOVERY", UblkCmd.UBLK_U_CMD_START_USER_RECOVERY);
        unsigned(m, "UBLK_U_CMD_END_USER_RECOVERY", UblkCmd.UBLK_U_CMD_END_USER_RECOVERY);
        unsigned(m, "UBLK_U_CMD_GET_FEATURES", UblkCmd.UBLK_U_CMD_GET_FEATURES);
        unsigned(m, "UBLK_U_IO_FETCH_REQ", UblkCmd.UBLK_U_IO_FETCH_REQ);
        unsigned(m, "UBLK_U_IO_COMMIT_AND_FETCH_REQ", UblkCmd.UBLK_U_IO_COMMIT_AND_FETCH_REQ);
        put(m, "UBLK_IO_RES_OK", UblksrvIoCmd.UBLK_IO_RES_OK);
        put(m, "UBLK_IO_RES_ABORT", UblksrvIoCmd.UBLK_IO_RES_ABORT);
        put(m, "UBLKSRV_CMD_BUF_OFFSET", UblksrvIoDesc.UBLKSRV_CMD_BUF_OFFSET);
        put(m, "UBLK_MAX_QUEUE_DEPTH", UblksrvIoDesc.UBLK_MAX_QUEUE_DEPTH);
        put(m, "UBLK_F_USER_RECOVERY", UblkFeatures.UBLK_F_USER_RECOVERY);
        put(m, "UBLK_F_USER_RECOVERY_REISSUE", UblkFeatures.UBLK_F_USER_RECOVERY_REISSUE);
        put(m, "UBLK_F_CMD_IOCTL_ENCODE", UblkFeatures.UBLK_F_CMD_IOCTL_ENCODE);
        put(m, "UBLK_S_DEV_DEAD", UblksrvCtrlDevInfo.UBLK_S_DEV_DEAD);
        put(m, "UBLK_S_DEV_LIVE", UblksrvCtrlDevInfo.UBLK_S_DEV_LIVE);
        put(m, "UBLK_S_DEV_QUIESCED", UblksrvCtrlDevInfo.UBLK_S_DEV_QUIESCED);
        put(m, "UBLK_IO_OP_READ", UblksrvIoDesc.UBLK_IO_OP_READ);
        put(m, "UBLK_IO_OP_WRITE", UblksrvIoDesc.UBLK_IO_OP_WRITE);
        put(m, "UBLK_IO_OP_FLUSH", UblksrvIoDesc.UBLK_IO_OP_FLUSH);
        put(m, "UBLK_IO_OP_DISCARD", UblksrvIoDesc.UBLK_IO_OP_DISCARD);
        put(m, "UBLK_IO_OP_WRITE_ZEROES", UblksrvIoDesc.UBLK_IO_OP_WRITE_ZEROES);
        put(m, "UBLK_IO_F_FUA", UblksrvIoDesc.UBLK_IO_F_FUA);
        put(m, "UBLK_IO_F_NOUNMAP", UblksrvIoDesc.UBLK_IO_F_NOUNMAP);
        put(m, "UBLK_ATTR_READ_ONLY", UblkParams.UBLK_ATTR_READ_ONLY);
        put(m, "UBLK_ATTR_VOLATILE_CACHE", UblkParams.UBLK_ATTR_VOLATILE_CACHE);
        put(m, "UBLK_ATTR_FUA", UblkParams.UBLK_ATTR_FUA);
        put(m, "UBLK_PARAM_TYPE_BASIC", UblkParams.UBLK_PARAM_TYPE_BASIC);
        put(m, "UBLK_PARAM_TYPE_DISCARD", UblkParams.UBLK_PARAM_TYPE_DISCARD);

        put(m, "sizeof(io_uring_params)", IoUringParams.SIZEOF);
        put(m, "io_uring_params.sq_entries", IoUringParams.SQ_ENTRIES);
        put(m, "io_uring_params.cq_entries", IoUringParams.CQ_ENTRIES);
        put(m, "io_uring_params.flags", IoUringParams.FLAGS);
        put(m, "io_uring_params.features", IoUringParams.FEATURES);
        put(m, "io_uring_params.sq_off", IoUringParams.SQ_OFF);
        put(m, "io_uring_params.cq_off", IoUringParams.CQ_OFF);
        put(m, "io_sqring_offsets.head", IoUringParams.SQ_OFF_HEAD);
        put(m, "io_sqring_offsets.tail", IoUringParams.SQ_OFF_TAIL);
        put(m, "io_sqring_offsets.ring_mask", IoUringParams.SQ_OFF_RING_MASK);
        put(m, "io_sqring_offsets.ring_entries", IoUringParams.SQ_OFF_RING_ENTRIES);
        put(m, "io_sqring_offsets.flags", IoUringParams.SQ_OFF_FLAGS);
        put(m, "io_sqring_offsets.dropped", IoUringParams.SQ_OFF_DROPPED);
        put(m, "io_sqring_offsets.array", IoUringParams.SQ_OFF_ARRAY);
        put(m, "io_cqring_offsets.head", IoUringParams.CQ_OFF_HEAD);
        put(m, "io_cqring_offsets.tail", IoUringParams.CQ_OFF_TAIL);
        put(m, "io_cqring_offsets.ring_mask", IoUringParams.CQ_OFF_RING_MASK);
        put(m, "io_cqring_offsets.ring_entries", IoUringParams.CQ_OFF_RING_ENTRIES);
        put(m, "io_cqring_offsets.overflow", IoUringParams.CQ_OFF_OVERFLOW);
        put(m, "io_cqring_offsets.cqes", IoUringParams.CQ_OFF_CQES);
        put(m, "sizeof(io_uring_sqe)", IoUringSqe.SIZEOF);
        put(m, "io_uring_sqe.opcode", IoUringSqe.OPCODE);
        put(m, "io_uring_sqe.flags", IoUringSqe.FLAGS);
        put(m, "io_uring_sqe.ioprio", IoUringSqe.IOPRIO);
        put(m, "io_uring_sqe.fd", IoUringSqe.FD);
        put(m, "io_uring_sqe.off", IoUringSqe.OFF);
        put(m, "io_uring_sqe.cmd_op", IoUringSqe.CMD_OP);
        put(m, "io_uring_sqe.addr", IoUringSqe.ADDR);
        put(m, "io_uring_sqe.len", IoUringSqe.LEN);
        put(m, "io_uring_sqe.user_data", IoUringSqe.USER_DATA);
        put(m, "io_uring_sqe.buf_index", IoUringSqe.BUF_INDEX);
        put(m, "io_uring_sqe.personality", IoUringSqe.PERSONALITY);
        put(m, "io_uring_sqe.file_index", IoUringSqe.FILE_INDEX);
        put(m, "io_uring_sqe.cmd", IoUringSqe.CMD);
        put(m, "sizeof(io_uring_cqe)", IoUringCqe.SIZEOF);
        put(m, "io_uring_cqe.user_data", IoUringCqe.USER_DATA);
        put(m, "io_uring_cqe.res", IoUringCqe.RES);
        put(m, "io_uring_cqe.flags", IoUringCqe.FLAGS);
        put(m, "IORING_SETUP_SQE128", IoUringParams.IORING_SETUP_SQE128);
        put(m, "IORING_SETUP_CQE32", IoUringParams.IORING_SETUP_CQE32);
        put(m, "IORING_OFF_SQ_RING", IoUringParams.IORING_OFF_SQ_RING);
        put(m, "IORING_OFF_CQ_RING", IoUringParams.IORING_OFF_CQ_RING);
        put(m, "IORING_OFF_SQES", IoUringParams.IORING_OFF_SQES);
        put(m, "IORING_ENTER_GETEVENTS", IoUringParams.IORING_ENTER_GETEVENTS);
        put(m, "IORING_OP_NOP", IoUringSqe.IORING_OP_NOP);
        put(m, "IORING_OP_READ", IoUringSqe.IORING_OP_READ);
        put(m, "IORING_OP_URING_CMD", IoUringSqe.IORING_OP_URING_CMD);
        return m;
    }

    private static void put(Map<String, Long> m, String name, long value) {
        m.put(name, value);
    }

    /** The ioctl-encoded numbers have bit 31 set: C prints them unsigned. */
    private static void unsigned(Map<String, Long> m, String name, int value) {
        m.put(name, Integer.toUnsignedLong(value));
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
