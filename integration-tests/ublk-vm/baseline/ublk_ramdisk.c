// Baseline for the ublk guest measurements: a minimal C ublk RAM disk (liburing), no network.
// GET_FEATURES, ADD_DEV, SET_PARAMS, FETCH_REQ, START_DEV, COMMIT_AND_FETCH_REQ loop, then runs a
// shell command with DEV=/dev/ublkbN, STOP_DEV, DEL_DEV. Same queue depth and buffer size as dst's
// defaults. Build: gcc -O2 -static ublk_ramdisk.c -luring -lpthread (run-e2e.sh does, when liburing-dev is there).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/ublk_cmd.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ioctl-encoded opcodes (6.5+), defined here because bookworm's uapi header is 6.1 */
#define U_CMD_GET_DEV_INFO  _IOR('u', 0x02, struct ublksrv_ctrl_cmd)
#define U_CMD_ADD_DEV       _IOWR('u', 0x04, struct ublksrv_ctrl_cmd)
#define U_CMD_DEL_DEV       _IOWR('u', 0x05, struct ublksrv_ctrl_cmd)
#define U_CMD_START_DEV     _IOWR('u', 0x06, struct ublksrv_ctrl_cmd)
#define U_CMD_STOP_DEV      _IOWR('u', 0x07, struct ublksrv_ctrl_cmd)
#define U_CMD_SET_PARAMS    _IOWR('u', 0x08, struct ublksrv_ctrl_cmd)
#define U_CMD_GET_FEATURES  _IOR('u', 0x13, struct ublksrv_ctrl_cmd)
#define U_IO_FETCH_REQ      _IOWR('u', 0x20, struct ublksrv_io_cmd)
#define U_IO_COMMIT_AND_FETCH_REQ _IOWR('u', 0x21, struct ublksrv_io_cmd)

#define QD 64
#define BUFSZ (512 * 1024)
#define DEVSZ (256ULL << 20)

static struct io_uring ctrl;
static int ctrl_fd, cdev_fd;
static uint32_t dev_id;
static char *ram;
static struct ublksrv_io_desc *descs;
static sem_t ready;
static uint64_t nio;

static int ctrl_cmd(uint32_t op, struct ublksrv_ctrl_cmd *c) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ctrl);
    memset(sqe, 0, 128);
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = ctrl_fd;
    sqe->cmd_op = op;
    memcpy(sqe->cmd, c, sizeof(*c));
    io_uring_submit(&ctrl);
    struct io_uring_cqe *cqe;
    int r = io_uring_wait_cqe(&ctrl, &cqe);
    if (r) return r;
    r = cqe->res;
    io_uring_cqe_seen(&ctrl, cqe);
    return r;
}

static void io_cmd(struct io_uring *r, uint32_t op, int tag, int res, void *buf) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(r);
    memset(sqe, 0, sizeof(*sqe));
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = cdev_fd;
    sqe->cmd_op = op;
    sqe->user_data = tag;
    struct ublksrv_io_cmd *ic = (void *)sqe->cmd;
    ic->q_id = 0; ic->tag = tag; ic->result = res; ic->addr = (uint64_t)buf;
}

static void *io_thread(void *arg) {
    struct io_uring r;
    void *bufs[QD];
    if (io_uring_queue_init(QD * 2, &r, 0)) { perror("io ring"); exit(1); }
    for (int t = 0; t < QD; t++) {
        posix_memalign(&bufs[t], 4096, BUFSZ);
        io_cmd(&r, U_IO_FETCH_REQ, t, -1, bufs[t]);
    }
    io_uring_submit(&r);
    sem_post(&ready);
    int live = QD;
    while (live > 0) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(&r, &cqe)) continue;
        int tag = cqe->user_data, res = cqe->res;
        io_uring_cqe_seen(&r, cqe);
        if (res != UBLK_IO_RES_OK) { live--; continue; }   /* -ENODEV: aborted on STOP */
        struct ublksrv_io_desc *d = &descs[tag];
        uint64_t off = d->start_sector << 9, len = (uint64_t)d->nr_sectors << 9;
        int out = len;
        switch (ublksrv_get_op(d)) {
        case UBLK_IO_OP_READ:  memcpy(bufs[tag], ram + off, len); break;
        case UBLK_IO_OP_WRITE: memcpy(ram + off, bufs[tag], len); break;
        case UBLK_IO_OP_FLUSH: out = 0; break;
        case UBLK_IO_OP_DISCARD: case UBLK_IO_OP_WRITE_ZEROES: memset(ram + off, 0, len); break;
        default: out = -EINVAL;
        }
        nio++;
        io_cmd(&r, U_IO_COMMIT_AND_FETCH_REQ, tag, out, bufs[tag]);
        io_uring_submit(&r);
    }
    return NULL;
}

int main(int argc, char **argv) {
    ctrl_fd = open("/dev/ublk-control", O_RDWR);
    if (ctrl_fd < 0) { perror("open /dev/ublk-control"); return 1; }
    printf("opened /dev/ublk-control fd=%d\n", ctrl_fd);
    if (io_uring_queue_init(4, &ctrl, IORING_SETUP_SQE128)) { perror("ctrl ring"); return 1; }

    uint64_t feat = 0;
    struct ublksrv_ctrl_cmd c = { .dev_id = -1, .queue_id = -1, .addr = (uint64_t)&feat, .len = 8 };
    int r = ctrl_cmd(U_CMD_GET_FEATURES, &c);
    printf("GET_FEATURES res=%d features=0x%llx\n", r, (unsigned long long)feat);

    struct ublksrv_ctrl_dev_info info = { .nr_hw_queues = 1, .queue_depth = QD,
        .max_io_buf_bytes = BUFSZ, .dev_id = -1 };
    c = (struct ublksrv_ctrl_cmd){ .dev_id = -1, .queue_id = -1, .addr = (uint64_t)&info, .len = sizeof(info) };
    r = ctrl_cmd(U_CMD_ADD_DEV, &c);
    printf("ADD_DEV res=%d dev_id=%u\n", r, info.dev_id);
    if (r) return 1;
    dev_id = info.dev_id;

    struct ublk_params p = { .len = sizeof(p), .types = UBLK_PARAM_TYPE_BASIC,
        .basic = { .logical_bs_shift = 9, .physical_bs_shift = 12, .io_opt_shift = 12,
                   .io_min_shift = 9, .max_sectors = BUFSZ >> 9, .dev_sectors = DEVSZ >> 9 } };
    c = (struct ublksrv_ctrl_cmd){ .dev_id = dev_id, .queue_id = -1, .addr = (uint64_t)&p, .len = sizeof(p) };
    r = ctrl_cmd(U_CMD_SET_PARAMS, &c);
    printf("SET_PARAMS res=%d\n", r);

    char path[64];
    snprintf(path, sizeof path, "/dev/ublkc%u", dev_id);
    for (int i = 0; i < 100 && (cdev_fd = open(path, O_RDWR)) < 0; i++) usleep(10000);
    if (cdev_fd < 0) { perror(path); return 1; }
    size_t dsz = (QD * sizeof(struct ublksrv_io_desc) + 4095) & ~4095UL;
    descs = mmap(NULL, dsz, PROT_READ, MAP_SHARED | MAP_POPULATE, cdev_fd, UBLKSRV_CMD_BUF_OFFSET);
    if (descs == MAP_FAILED) { perror("mmap"); return 1; }
    ram = calloc(1, DEVSZ);

    sem_init(&ready, 0, 0);
    pthread_t th;
    pthread_create(&th, NULL, io_thread, NULL);
    sem_wait(&ready);
    c = (struct ublksrv_ctrl_cmd){ .dev_id = dev_id, .queue_id = -1, .data = { getpid() } };
    r = ctrl_cmd(U_CMD_START_DEV, &c);
    printf("START_DEV res=%d -> /dev/ublkb%u\n", r, dev_id);
    fflush(stdout);

    int rc = 0;
    if (r == 0 && argc > 1) {
        char dev[64];
        snprintf(dev, sizeof dev, "/dev/ublkb%u", dev_id);
        setenv("DEV", dev, 1);
        pid_t pid = fork();
        if (pid == 0) { execl("/bin/sh", "sh", "-c", argv[1], (char *)NULL); _exit(127); }
        int st; waitpid(pid, &st, 0);
        rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        printf("command exit=%d\n", rc);
    }
    c = (struct ublksrv_ctrl_cmd){ .dev_id = dev_id, .queue_id = -1 };
    printf("STOP_DEV res=%d\n", ctrl_cmd(U_CMD_STOP_DEV, &c));
    pthread_join(th, NULL);
    munmap(descs, dsz);
    close(cdev_fd);
    c = (struct ublksrv_ctrl_cmd){ .dev_id = dev_id, .queue_id = -1 };
    printf("DEL_DEV res=%d (ios served: %llu)\n", ctrl_cmd(U_CMD_DEL_DEV, &c), (unsigned long long)nio);
    return rc;
}
