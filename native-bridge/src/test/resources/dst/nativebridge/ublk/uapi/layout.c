/* Prints "name value" for every offset, size and number dst mirrors from linux/ublk_cmd.h and
 * linux/io_uring.h, compiled against the host's real headers by UblkUapiLayoutTest. Things newer
 * than the header (Debian 12 ships 6.1's) are defined here exactly as later kernels define them. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/io_uring.h>
#include <linux/ublk_cmd.h>

#ifndef UBLK_CMD_GET_FEATURES
#define UBLK_CMD_GET_FEATURES 0x13
#endif
#ifndef UBLK_F_CMD_IOCTL_ENCODE
#define UBLK_F_CMD_IOCTL_ENCODE (1UL << 6)
#endif
#ifndef UBLK_U_CMD_GET_DEV_INFO
#define UBLK_U_CMD_GET_DEV_INFO _IOR('u', UBLK_CMD_GET_DEV_INFO, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_ADD_DEV _IOWR('u', UBLK_CMD_ADD_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_DEL_DEV _IOWR('u', UBLK_CMD_DEL_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_START_DEV _IOWR('u', UBLK_CMD_START_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_STOP_DEV _IOWR('u', UBLK_CMD_STOP_DEV, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_SET_PARAMS _IOWR('u', UBLK_CMD_SET_PARAMS, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_GET_PARAMS _IOR('u', UBLK_CMD_GET_PARAMS, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_START_USER_RECOVERY _IOWR('u', UBLK_CMD_START_USER_RECOVERY, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_END_USER_RECOVERY _IOWR('u', UBLK_CMD_END_USER_RECOVERY, struct ublksrv_ctrl_cmd)
#define UBLK_U_CMD_GET_FEATURES _IOR('u', UBLK_CMD_GET_FEATURES, struct ublksrv_ctrl_cmd)
#define UBLK_U_IO_FETCH_REQ _IOWR('u', UBLK_IO_FETCH_REQ, struct ublksrv_io_cmd)
#define UBLK_U_IO_COMMIT_AND_FETCH_REQ _IOWR('u', UBLK_IO_COMMIT_AND_FETCH_REQ, struct ublksrv_io_cmd)
#endif

#define SIZE(s) printf("sizeof(%s) %zu\n", #s, sizeof(struct s))
#define OFF(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))
#define NUM(n) printf("%s %lld\n", #n, (long long)(n))

int main(void) {
    SIZE(ublksrv_ctrl_cmd);
    OFF(ublksrv_ctrl_cmd, dev_id); OFF(ublksrv_ctrl_cmd, queue_id); OFF(ublksrv_ctrl_cmd, len);
    OFF(ublksrv_ctrl_cmd, addr); OFF(ublksrv_ctrl_cmd, data);
    SIZE(ublksrv_ctrl_dev_info);
    OFF(ublksrv_ctrl_dev_info, nr_hw_queues); OFF(ublksrv_ctrl_dev_info, queue_depth); OFF(ublksrv_ctrl_dev_info, state);
    OFF(ublksrv_ctrl_dev_info, max_io_buf_bytes); OFF(ublksrv_ctrl_dev_info, dev_id); OFF(ublksrv_ctrl_dev_info, ublksrv_pid);
    OFF(ublksrv_ctrl_dev_info, flags); OFF(ublksrv_ctrl_dev_info, ublksrv_flags);
    SIZE(ublksrv_io_desc);
    OFF(ublksrv_io_desc, op_flags); OFF(ublksrv_io_desc, nr_sectors); OFF(ublksrv_io_desc, start_sector); OFF(ublksrv_io_desc, addr);
    SIZE(ublksrv_io_cmd);
    OFF(ublksrv_io_cmd, q_id); OFF(ublksrv_io_cmd, tag); OFF(ublksrv_io_cmd, result); OFF(ublksrv_io_cmd, addr);
    SIZE(ublk_param_basic);
    OFF(ublk_param_basic, attrs); OFF(ublk_param_basic, logical_bs_shift); OFF(ublk_param_basic, physical_bs_shift);
    OFF(ublk_param_basic, io_opt_shift); OFF(ublk_param_basic, io_min_shift); OFF(ublk_param_basic, max_sectors);
    OFF(ublk_param_basic, chunk_sectors); OFF(ublk_param_basic, dev_sectors); OFF(ublk_param_basic, virt_boundary_mask);
    SIZE(ublk_param_discard);
    OFF(ublk_param_discard, discard_alignment); OFF(ublk_param_discard, discard_granularity);
    OFF(ublk_param_discard, max_discard_sectors); OFF(ublk_param_discard, max_write_zeroes_sectors);
    OFF(ublk_param_discard, max_discard_segments);
    OFF(ublk_params, len); OFF(ublk_params, types); OFF(ublk_params, basic); OFF(ublk_params, discard);
    /* dst sends the 6.1 prefix of ublk_params: exactly up to the end of 'discard', 8-aligned */
    printf("ublk_params.prefix %zu\n", (offsetof(struct ublk_params, discard) + sizeof(struct ublk_param_discard) + 7) & ~7UL);

    NUM(UBLK_CMD_GET_DEV_INFO); NUM(UBLK_CMD_ADD_DEV); NUM(UBLK_CMD_DEL_DEV); NUM(UBLK_CMD_START_DEV); NUM(UBLK_CMD_STOP_DEV);
    NUM(UBLK_CMD_SET_PARAMS); NUM(UBLK_CMD_GET_PARAMS); NUM(UBLK_CMD_START_USER_RECOVERY); NUM(UBLK_CMD_END_USER_RECOVERY);
    NUM(UBLK_CMD_GET_FEATURES); NUM(UBLK_IO_FETCH_REQ); NUM(UBLK_IO_COMMIT_AND_FETCH_REQ);
    NUM(UBLK_U_CMD_GET_DEV_INFO); NUM(UBLK_U_CMD_ADD_DEV); NUM(UBLK_U_CMD_DEL_DEV); NUM(UBLK_U_CMD_START_DEV);
    NUM(UBLK_U_CMD_STOP_DEV); NUM(UBLK_U_CMD_SET_PARAMS); NUM(UBLK_U_CMD_GET_PARAMS); NUM(UBLK_U_CMD_START_USER_RECOVERY);
    NUM(UBLK_U_CMD_END_USER_RECOVERY); NUM(UBLK_U_CMD_GET_FEATURES); NUM(UBLK_U_IO_FETCH_REQ); NUM(UBLK_U_IO_COMMIT_AND_FETCH_REQ);
    NUM(UBLK_IO_RES_OK); NUM(UBLK_IO_RES_ABORT); NUM(UBLKSRV_CMD_BUF_OFFSET); NUM(UBLK_MAX_QUEUE_DEPTH);
    NUM(UBLK_F_USER_RECOVERY); NUM(UBLK_F_USER_RECOVERY_REISSUE); NUM(UBLK_F_CMD_IOCTL_ENCODE);
    NUM(UBLK_S_DEV_DEAD); NUM(UBLK_S_DEV_LIVE); NUM(UBLK_S_DEV_QUIESCED);
    NUM(UBLK_IO_OP_READ); NUM(UBLK_IO_OP_WRITE); NUM(UBLK_IO_OP_FLUSH); NUM(UBLK_IO_OP_DISCARD); NUM(UBLK_IO_OP_WRITE_ZEROES);
    NUM(UBLK_IO_F_FUA); NUM(UBLK_IO_F_NOUNMAP);
    NUM(UBLK_ATTR_READ_ONLY); NUM(UBLK_ATTR_VOLATILE_CACHE); NUM(UBLK_ATTR_FUA);
    NUM(UBLK_PARAM_TYPE_BASIC); NUM(UBLK_PARAM_TYPE_DISCARD);

    SIZE(io_uring_params);
    OFF(io_uring_params, sq_entries); OFF(io_uring_params, cq_entries); OFF(io_uring_params, flags);
    OFF(io_uring_params, features); OFF(io_uring_params, sq_off); OFF(io_uring_params, cq_off);
    OFF(io_sqring_offsets, head); OFF(io_sqring_offsets, tail); OFF(io_sqring_offsets, ring_mask);
    OFF(io_sqring_offsets, ring_entries); OFF(io_sqring_offsets, flags); OFF(io_sqring_offsets, dropped); OFF(io_sqring_offsets, array);
    OFF(io_cqring_offsets, head); OFF(io_cqring_offsets, tail); OFF(io_cqring_offsets, ring_mask);
    OFF(io_cqring_offsets, ring_entries); OFF(io_cqring_offsets, overflow); OFF(io_cqring_offsets, cqes);
    SIZE(io_uring_sqe);
    OFF(io_uring_sqe, opcode); OFF(io_uring_sqe, flags); OFF(io_uring_sqe, ioprio); OFF(io_uring_sqe, fd); OFF(io_uring_sqe, off);
    OFF(io_uring_sqe, cmd_op); OFF(io_uring_sqe, addr); OFF(io_uring_sqe, len); OFF(io_uring_sqe, user_data);
    OFF(io_uring_sqe, buf_index); OFF(io_uring_sqe, personality); OFF(io_uring_sqe, file_index); OFF(io_uring_sqe, cmd);
    SIZE(io_uring_cqe);
    OFF(io_uring_cqe, user_data); OFF(io_uring_cqe, res); OFF(io_uring_cqe, flags);
    NUM(IORING_SETUP_SQE128); NUM(IORING_SETUP_CQE32); NUM(IORING_OFF_SQ_RING); NUM(IORING_OFF_CQ_RING); NUM(IORING_OFF_SQES);
    NUM(IORING_ENTER_GETEVENTS); NUM(IORING_OP_NOP); NUM(IORING_OP_READ); NUM(IORING_OP_URING_CMD);
    return 0;
}
