/*
 * The host side of the CPU model's differential tests: runs instruction sequences on the real
 * processor and reports the architectural state they leave.
 *
 * stdin, per case (little-endian): u32 code length (0xFFFFFFFF ends), the code bytes, then the
 * input state, then DATA_SIZE bytes of data memory. The state is the 16 general registers
 * (rax..r15 in encoding order), RFLAGS, and a 512-byte FXSAVE image (x87, MXCSR, XMM0-15).
 *
 * stdout, per case: i32 trap number (-1: ran to the end), u64 error code, u64 fault address,
 * u64 RIP, then the output state in the same layout and the data memory.
 *
 * The code runs at CODE_ADDR with the data at DATA_ADDR; GS_BASE is GS_BASE_VALUE. A fault
 * (SIGSEGV, SIGFPE, SIGILL, SIGTRAP, SIGBUS) reports the hardware trap number, error code and
 * RIP from the signal context, and the general registers at the fault.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_ADDR 0x10000000UL
#define CODE_SIZE 0x1000UL
#define DATA_ADDR 0x20000000UL
#define DATA_SIZE 0x2000UL
#define GS_BASE_VALUE 0x1000UL

struct state {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t pad;
    uint8_t fx[512];
} __attribute__((aligned(16)));

struct state in_state __attribute__((used, aligned(16)));
struct state out_state __attribute__((used, aligned(16)));
uint64_t host_rsp __attribute__((used));
uint64_t code_entry __attribute__((used)) = CODE_ADDR;
uint8_t scratch_stack[4096] __attribute__((used, aligned(16)));
static const uint32_t host_mxcsr = 0x1F80;

static sigjmp_buf recover;
static volatile int trap_no;
static volatile uint64_t trap_err, trap_addr, trap_rip;

void run_case(void);
void exit_stub(void);

/* Loads every register from in_state, jumps to the code; exit_stub stores them to out_state. */
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  mov %rsp, host_rsp(%rip)\n"
    "  fxrstor in_state+144(%rip)\n"
    "  lea scratch_stack+4096(%rip), %rsp\n"
    "  pushq in_state+128(%rip)\n"
    "  popfq\n"
    "  mov in_state+0(%rip), %rax\n"
    "  mov in_state+8(%rip), %rcx\n"
    "  mov in_state+16(%rip), %rdx\n"
    "  mov in_state+24(%rip), %rbx\n"
    "  mov in_state+40(%rip), %rbp\n"
    "  mov in_state+48(%rip), %rsi\n"
    "  mov in_state+56(%rip), %rdi\n"
    "  mov in_state+64(%rip), %r8\n"
    "  mov in_state+72(%rip), %r9\n"
    "  mov in_state+80(%rip), %r10\n"
    "  mov in_state+88(%rip), %r11\n"
    "  mov in_state+96(%rip), %r12\n"
    "  mov in_state+104(%rip), %r13\n"
    "  mov in_state+112(%rip), %r14\n"
    "  mov in_state+120(%rip), %r15\n"
    "  mov in_state+32(%rip), %rsp\n"
    "  jmp *code_entry(%rip)\n"
    ".globl exit_stub\n"
    "exit_stub:\n"
    "  mov %rax, out_state+0(%rip)\n"
    "  mov %rcx, out_state+8(%rip)\n"
    "  mov %rdx, out_state+16(%rip)\n"
    "  mov %rbx, out_state+24(%rip)\n"
    "  mov %rsp, out_state+32(%rip)\n"
    "  mov %rbp, out_state+40(%rip)\n"
    "  mov %rsi, out_state+48(%rip)\n"
    "  mov %rdi, out_state+56(%rip)\n"
    "  mov %r8, out_state+64(%rip)\n"
    "  mov %r9, out_state+72(%rip)\n"
    "  mov %r10, out_state+80(%rip)\n"
    "  mov %r11, out_state+88(%rip)\n"
    "  mov %r12, out_state+96(%rip)\n"
    "  mov %r13, out_state+104(%rip)\n"
    "  mov %r14, out_state+112(%rip)\n"
    "  mov %r15, out_state+120(%rip)\n"
    "  lea scratch_stack+4096(%rip), %rsp\n"
    "  pushfq\n"
    "  popq out_state+128(%rip)\n"
    "  cld\n"
    "  fxsave out_state+144(%rip)\n"
    "  fninit\n"
    "  ldmxcsr host_mxcsr(%rip)\n"
    "  mov host_rsp(%rip), %rsp\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

static void on_fault(int sig, siginfo_t *info, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    trap_no = (int) g[REG_TRAPNO];
    trap_err = g[REG_ERR];
    trap_addr = (uint64_t) info->si_addr;
    trap_rip = g[REG_RIP];
    static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                  REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < 16; i++) {
        out_state.gpr[i] = g[order[i]];
    }
    out_state.rflags = g[REG_EFL];
    memcpy(out_state.fx, uc->uc_mcontext.fpregs, 512);
    (void) sig;
    siglongjmp(recover, 1);
}

static int read_full(void *p, size_t n) {
    size_t done = 0;
    while (done < n) {
        size_t k = fread((char *) p + done, 1, n - done, stdin);
        if (k == 0) {
            return 0;
        }
        done += k;
    }
    return 1;
}

int main(void) {
    uint8_t *code = mmap((void *) CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    /* Data, then one page left inaccessible so runs off the end fault the same way as on the model. */
    uint8_t *data = mmap((void *) DATA_ADDR, DATA_SIZE + 0x1000, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *) CODE_ADDR || data != (void *) DATA_ADDR) {
        perror("mmap");
        return 2;
    }
    mprotect(data + DATA_SIZE, 0x1000, PROT_NONE);
    if (syscall(SYS_arch_prctl, ARCH_SET_GS, GS_BASE_VALUE) != 0) {
        perror("arch_prctl");
        return 2;
    }
    static uint8_t altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
    }
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    for (;;) {
        uint32_t len;
        if (!read_full(&len, 4) || len == 0xFFFFFFFFu) {
            break;
        }
        if (len > CODE_SIZE - 16) {
            fprintf(stderr, "code too long: %u\n", len);
            return 2;
        }
        memset(code, 0xCC, CODE_SIZE);
        if (!read_full(code, len) || !read_full(&in_state, sizeof in_state) || !read_full(data, DATA_SIZE)) {
            fprintf(stderr, "truncated case\n");
            return 2;
        }
        /* jmp *0(%rip) to exit_stub */
        code[len] = 0xFF;
        code[len + 1] = 0x25;
        memset(code + len + 2, 0, 4);
        uint64_t target = (uint64_t) exit_stub;
        memcpy(code + len + 6, &target, 8);
        __builtin___clear_cache((char *) code, (char *) code + CODE_SIZE);
        memset(&out_state, 0, sizeof out_state);
        int32_t trap = -1;
        uint64_t err = 0, addr = 0, rip = CODE_ADDR + len;
        alarm(10);
        if (sigsetjmp(recover, 1) == 0) {
            run_case();
        } else {
            __asm__ volatile("fninit\n ldmxcsr %0" : : "m"(host_mxcsr));
            trap = trap_no;
            err = trap_err;
            addr = trap_addr;
            rip = trap_rip;
        }
        alarm(0);
        fwrite(&trap, 4, 1, stdout);
        fwrite(&err, 8, 1, stdout);
        fwrite(&addr, 8, 1, stdout);
        fwrite(&rip, 8, 1, stdout);
        fwrite(&out_state, sizeof out_state, 1, stdout);
        fwrite(data, DATA_SIZE, 1, stdout);
    }
    fflush(stdout);
    return 0;
}
