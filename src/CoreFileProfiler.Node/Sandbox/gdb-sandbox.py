# Locks the gdb that sources this file into the Core File Profiler's sandbox, before it reads any
# input: Landlock (files it may read, nothing it may write or execute, no TCP, no signals or
# abstract sockets outside itself), a seccomp filter (no execve, no new processes, no sockets, no
# ptrace attach, no cross-process memory access, no signals to others, no io_uring, no SysV IPC),
# and no core dumps of itself or /proc access by others.
# The silo has already dropped root and set no-new-privileges (setpriv). The policy comes in
# CFP_SANDBOX (JSON): {"read": [paths], "readWrite": [paths], "mode": "core" | "attach",
# "target": pid}. Any failure ends gdb (exit 97): the silo never serves an unconfined gdb.
import ctypes
import json
import os
import platform
import struct
import sys

_EXIT_REFUSED = 97
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.restype = ctypes.c_int

PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1

# Syscall numbers: Landlock's are the same on every architecture.
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_ARCH = {
    "x86_64": dict(audit=0xC000003E, seccomp=317, execve=59, execveat=322, socket=41, ptrace=101,
                   process_vm_readv=310, process_vm_writev=311, io_uring_setup=425, io_uring_enter=426,
                   io_uring_register=427, bpf=321, userfaultfd=323, perf_event_open=298, keyctl=250,
                   add_key=248, request_key=249, fork=57, vfork=58, clone=56, clone3=435, tkill=200,
                   kill=62, tgkill=234, rt_sigqueueinfo=129, rt_tgsigqueueinfo=297, pidfd_open=434,
                   pidfd_send_signal=424, pidfd_getfd=438, shmget=29, shmat=30, semget=64, msgget=68,
                   mq_open=240, socketpair=53, msgsnd=69, msgrcv=70, msgctl=71, semop=65, semctl=66,
                   semtimedop=220, shmctl=31, shmdt=67, prctl=157, x32=True),
    "aarch64": dict(audit=0xC00000B7, seccomp=277, execve=221, execveat=281, socket=198, ptrace=117,
                    process_vm_readv=270, process_vm_writev=271, io_uring_setup=425, io_uring_enter=426,
                    io_uring_register=427, bpf=280, userfaultfd=282, perf_event_open=241, keyctl=219,
                    add_key=217, request_key=218, fork=None, vfork=None, clone=220, clone3=435, tkill=130,
                    kill=129, tgkill=131, rt_sigqueueinfo=138, rt_tgsigqueueinfo=240, pidfd_open=434,
                    pidfd_send_signal=424, pidfd_getfd=438, shmget=194, shmat=196, semget=190, msgget=186,
                    mq_open=180, socketpair=199, msgsnd=189, msgrcv=188, msgctl=187, semop=193, semctl=191,
                    semtimedop=192, shmctl=195, shmdt=197, prctl=167, x32=False),
}

# Landlock access rights.
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ALL_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}  # ABI 5+ adds IOCTL_DEV
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2
_RULE_PATH_BENEATH = 1

# seccomp-bpf.
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JGE_K, _BPF_JSET_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO_EPERM, _RET_ERRNO_ENOSYS = 0x7FFF0000, 0x80000000, 0x00050000 | 1, 0x00050000 | 38
_CLONE_THREAD = 0x10000
_NR, _ARG0 = 0, 16  # offsets in struct seccomp_data (the low half of args[0] on little-endian machines)
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1
_PTRACE_ATTACH, _PTRACE_SEIZE = 16, 0x4206


def _fail(what):
    sys.stdout.write("\r\ncore-file-profiler: the gdb sandbox could not be set up (%s); this terminal is closed.\r\n" % what)
    sys.stdout.flush()
    os._exit(_EXIT_REFUSED)


def _check(result, what):
    if result < 0:
        _fail("%s: %s" % (what, os.strerror(ctypes.get_errno())))
    return result


def _landlock(policy):
    abi = _libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 0:
        return "off (the kernel has no Landlock)"
    fs_all = _FS_ALL_BY_ABI.get(abi, (1 << 16) - 1)
    net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = 0
    if abi >= 6:
        # A live process is signalled by gdb (stop, interrupt): only a core's gdb is scoped.
        scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | (_SCOPE_SIGNAL if policy["mode"] == "core" else 0)
    attr = struct.pack("=QQQ", fs_all, net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    buffer = ctypes.create_string_buffer(attr[:size], size)
    ruleset = _check(_libc.syscall(_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(size), ctypes.c_uint32(0)), "landlock_create_ruleset")
    read_file = _FS_READ_FILE
    read_dir = _FS_READ_FILE | _FS_READ_DIR
    for path, writable in [(p, False) for p in policy.get("read", [])] + [(p, True) for p in policy.get("readWrite", [])]:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue  # absent on this machine (e.g. /lib64): nothing to allow
        allowed = read_dir if os.path.isdir(path) else read_file
        if writable:
            allowed |= _FS_WRITE_FILE
        rule = ctypes.create_string_buffer(struct.pack("=Qi", allowed & fs_all, fd), 12)
        result = _libc.syscall(_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), rule, ctypes.c_uint32(0))
        os.close(fd)
        _check(result, "landlock_add_rule %s" % path)
    _check(_libc.syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)), "landlock_restrict_self")
    os.close(ruleset)
    return "Landlock ABI %d (files%s%s)" % (abi, ", TCP" if net else "", ", signals" if scoped & _SCOPE_SIGNAL else "")


def _seccomp(policy):
    arch = _ARCH.get(platform.machine())
    if arch is None:
        _fail("no seccomp policy for %s" % platform.machine())
    # Nothing that runs a program, reaches out, reaches into another process, or outlives gdb.
    denied = ["execve", "execveat", "socket", "ptrace" if policy["mode"] == "core" else None, "process_vm_readv",
              "process_vm_writev", "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "userfaultfd",
              "perf_event_open", "keyctl", "add_key", "request_key", "fork", "vfork", "tkill", "pidfd_open",
              "pidfd_send_signal", "pidfd_getfd", "shmget", "shmat", "semget", "msgget", "mq_open", "socketpair",
              "msgsnd", "msgrcv", "msgctl", "semop", "semctl", "semtimedop", "shmctl", "shmdt"]
    denied = [name for name in denied if name and arch[name] is not None]
    program = [(_BPF_LD_W_ABS, 0, 0, 4), (_BPF_JEQ_K, 1, 0, arch["audit"]), (_BPF_RET_K, 0, 0, _RET_KILL_PROCESS),
               (_BPF_LD_W_ABS, 0, 0, _NR)]
    if arch["x32"]:
        program += [(_BPF_JGE_K, 0, 1, 0x40000000), (_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM)]
    for name in denied:
        program += [(_BPF_JEQ_K, 0, 1, arch[name]), (_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM)]
    # glibc starts threads with clone3 and falls back to clone on ENOSYS; clone then only for threads.
    program += [(_BPF_JEQ_K, 0, 1, arch["clone3"]), (_BPF_RET_K, 0, 0, _RET_ERRNO_ENOSYS)]
    program += [(_BPF_JEQ_K, 0, 4, arch["clone"]), (_BPF_LD_W_ABS, 0, 0, _ARG0), (_BPF_JSET_K, 1, 0, _CLONE_THREAD),
                (_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM), (_BPF_LD_W_ABS, 0, 0, _NR)]
    # It dies with the silo and stays undumpable: the parent-death signal and dumpability are set for good.
    program += [(_BPF_JEQ_K, 0, 5, arch["prctl"]), (_BPF_LD_W_ABS, 0, 0, _ARG0),
                (_BPF_JEQ_K, 1, 0, PR_SET_PDEATHSIG), (_BPF_JEQ_K, 0, 1, PR_SET_DUMPABLE), (_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM),
                (_BPF_LD_W_ABS, 0, 0, _NR)]
    # Signals to gdb itself, its own group, and (attached) the process it holds: nobody else.
    allowed = [os.getpid(), 0] + ([policy["target"]] if policy.get("target") else [])
    for name in ["kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"]:
        checks = [(_BPF_JEQ_K, len(allowed) - i, 0, pid & 0xFFFFFFFF) for i, pid in enumerate(allowed)]
        program += [(_BPF_JEQ_K, 0, len(checks) + 3, arch[name]), (_BPF_LD_W_ABS, 0, 0, _ARG0)] + checks + \
                   [(_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM), (_BPF_LD_W_ABS, 0, 0, _NR)]
    if policy["mode"] == "attach":
        # Attached already: the process it holds (and its new threads, which need no attach) only.
        program += [(_BPF_JEQ_K, 0, 5, arch["ptrace"]), (_BPF_LD_W_ABS, 0, 0, _ARG0),
                    (_BPF_JEQ_K, 1, 0, _PTRACE_ATTACH), (_BPF_JEQ_K, 0, 1, _PTRACE_SEIZE), (_BPF_RET_K, 0, 0, _RET_ERRNO_EPERM),
                    (_BPF_LD_W_ABS, 0, 0, _NR)]
    program += [(_BPF_RET_K, 0, 0, _RET_ALLOW)]
    filters = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters, len(filters))
    fprog = ctypes.create_string_buffer(struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(buffer)), 16)
    _check(_libc.syscall(arch["seccomp"], ctypes.c_uint(_SECCOMP_SET_MODE_FILTER), ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), fprog), "seccomp")
    return "seccomp (%d calls refused; no new processes; signals only to itself%s)" % (len(denied), " and the process it holds" if policy.get("target") else "")


def _install():
    try:
        policy = json.loads(os.environ.get("CFP_SANDBOX", ""))
    except ValueError:
        _fail("no policy")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "dumpable")
    # No core of gdb itself, ever: it would hold what it was handed.
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Whoever holds the session can make gdb allocate and spin (its Python): bounded, not the node's.
    limits = []
    if policy.get("memoryBytes", 0) > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (policy["memoryBytes"], policy["memoryBytes"]))
        limits.append("%d MiB of memory" % (policy["memoryBytes"] >> 20))
    if policy.get("cpuSeconds", 0) > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (policy["cpuSeconds"], policy["cpuSeconds"] + 5))
        limits.append("%d s of CPU" % policy["cpuSeconds"])
    layers = ["uid %d" % os.getuid(), "no new privileges", _landlock(policy), _seccomp(policy)] + limits
    os.environ.pop("CFP_SANDBOX", None)
    if policy.get("announce"):
        sys.stdout.write("core-file-profiler: sandbox: %s.\n" % "; ".join(layers))


_install()
