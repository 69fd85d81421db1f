"""Integration test matrix: configurations x cases.

Imported by boot/x86_64/SConscript.iso (to build one GRUB ISO per case,
since GRUB carries the command line inside the ISO) and by run.py.
A case may name one 'arch' (it runs only there) and 'kernel': 'elf' (boot
the ELF instead of the Image: AArch64's bad-boot-data case).
Each case reads like a user session: boot with this command line, expect
these lines on the serial console, expect this verdict.
"""

# name, arch, boot, gic, el2, accel ('tcg' always; 'kvm': run only when
# KVM is usable here, reported as skipped otherwise)
CONFIGS = [
    ('x86_64-bios', 'x86_64', 'iso', None, False, 'tcg'),
    ('x86_64-uefi', 'x86_64', 'uefi', None, False, 'tcg'),
    ('x86_64-pvh', 'x86_64', 'pvh', None, False, 'tcg'),
    ('x86_64-pvh-kvm', 'x86_64', 'pvh', None, False, 'kvm'),
    ('aarch64-gicv2', 'aarch64', None, 2, False, 'tcg'),
    ('aarch64-gicv3-el2', 'aarch64', None, 3, True, 'tcg'),
]

MODULE = 'hello.mod'   # test/integration/fixtures/, passed as a module

# Lines every boot must print: the banner comes first (boot-to-banner
# time is measured to it).
BANNER = r'^Aegis \d+\.\d+\.\d+ \((x86_64|aarch64), \w+ build\)'

# The user-mode tests' lines (test/kernel/user.c).
USER_LINES = [
    r'^user: crasher \(thread \d+\) killed: (page fault|data abort) '
    r'at pc 0x[0-9a-f]+, address 0$',
    r'^user: hello from user mode$',
    r'^ktest: ok user\.fault_kills_only_that_thread',
    r'^ktest: ok user\.bad_arguments_get_error_codes',
]

CASES = [
    {
        'name': 'boot',
        'cmdline': 'ktest=all loglevel=7',
        # Under this machine's KVM (kvm_pvm) SYSCALL from ring 3 arrives
        # at the kernel's entry still in ring 3 and faults there
        # (docs/TESTING.md): the user-mode tests run under TCG only.
        'kvm_cmdline': 'ktest=all,-user loglevel=7',
        'kvm_skip_expect': USER_LINES,
        'module': True,
        'expect': [
            BANNER,
            r'^hal: console ',
            r'^boot: protocol (multiboot2|pvh|devicetree), firmware '
            r'{firmware}',
            r'^boot: entered in {entry}',
            r'^boot: cmdline "ktest=all(,-user)? loglevel=7"',
            r'^boot: memory \d+ MiB usable in \d+ regions',
            r'^boot: mem 0x[0-9a-f]+-0x[0-9a-f]+ usable ',
            r'^boot: module 0 "{module_name}" at 0x[0-9a-f]+, {module_size} '
            r'bytes',
            r'^ktest: ok boot\.',
            r'^smp: (\d+) of \1 CPUs online \(from the (ACPI MADT|device tree)\)$',
            r'{intc}',
            r'^boot: console (ns16550a at 0x3f8, interrupt 4|arm,pl011 at '
            r'0x9000000, interrupt 33)$',
            r'{caps}',
            r'{irq}',
            r'^hal: console input on line \d+ \(hw\.irq\.uart0\)$',
            r'^devtree: (/isa/serial@3f8 ns16550a -> uart \(console\), regs '
            r'0x3f8\+0x8, irq 4|/pl011@9000000 arm,pl011 -> uart '
            r'\(console\), regs 0x9000000\+0x1000, irq 33)$',
            r'^devtree: \d+ devices, \d+ with drivers, 0 refused',
            r'^devtree: rtc0 says \d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC$',
            r'^ktest: ok devtree\.hotplug_detach_and_attach',
            r'^ktest: ok devtree\.console_uart_enumerated',
            r'^devfs: hello through /dev/console$',
            r'^ktest: ok devfs\.permissions_and_errors',
            r'^console: trace filter "Bad\*" refused: ',
            r'^ktest: ok sysfs\.trace_filter_written_through_sysfs',
            r'^ktest: ok hal\.timer_ticks_reach_the_bus',
            r'^ktest: ok sched\.busy_threads_preempted_round_robin',
            r'^ktest: ok sched\.yield_ping_pong_and_stacks_back',
        ] + USER_LINES + [
            r'^ktest: [1-9]\d* passed, 0 failed',
        ],
        'reject': [r'^bootparam: ', r'^panic: '],
        'verdict': 'pass',
    },
    {
        # Bad input on the command line: reported, defaults kept, boots on.
        'name': 'bad-cmdline',
        'cmdline': 'ktest=lib bogus=1 loglevel=99 help trace=Bad.*',
        'module': False,
        'expect': [
            BANNER,
            r"^bootparam: unknown option 'bogus', ignored",
            r'^bootparam: loglevel=99 out of range 0\.\.7, keeping '
            r'default 6',
            r'^bootparam: trace=Bad\.\*: character outside \[a-z0-9_-\.\]; '
            r'tracing off',
            r'^bootparam: 2 option\(s\) not applied',
            r'^  loglevel +uint +0\.\.7 ',
            r'^boot: memory \d+ MiB usable',
            r'^ktest: [1-9]\d* passed, 0 failed',
        ],
        # loglevel stayed 6: the per-region lines (debug) are not shown
        'reject': [r'^panic: ', r'^boot: mem 0x'],
        'verdict': 'pass',
    },
    {
        # The bus and the registry: services come up in dependency order
        # and trace=* shows their traffic from the first message on.
        'name': 'services-trace',
        'cmdline': 'ktest=bus trace=*',
        'module': False,
        'expect': [
            BANNER,
            r'^bus: up, clock \d+ Hz, trace filter "\*"',
            r'^service: started console \(bus id \d+, generation 1\)',
            r'^service: started example \(bus id \d+, generation 1\)',
            r'^service: started mm \(bus id \d+, generation 1\)',
            r'^service: started devtree \(bus id \d+, generation 1\)',
            r'^service: started ns \(bus id \d+, generation 1\)',
            r'^service: started shell \(bus id \d+, generation 1\)',
            r'^service: started rtc \(bus id \d+, generation 1\)',
            r'^service: started sched \(bus id \d+, generation 1\)',
            r'^service: started devfs \(bus id \d+, generation 1\)',
            r'^service: started sysfs \(bus id \d+, generation 1\)',
            r'^service: started init \(bus id \d+, generation 1\)',
            r'^service: started proc \(bus id \d+, generation 1\)',
            r'^service: started power \(bus id \d+, generation 1\)',
            r'^service: started profiler \(bus id \d+, generation 1\)',
            r'^service: started cpus \(bus id \d+, generation 1\)',
            r'^service: 20 of 20 built-in services up',
            r'^example: hello from a service',
            r'^trace: \d+\.\d{{3}} event kernel\.boot\.done kernel->example '
            r'p4 wait=\d+\.\d{{3}} run=\d+\.\d{{3}} seq=1 id=\d+$',
            r'^trace: \d+\.\d{{3}} request console\.write example->console '
            r'p4 wait=0\.000 run=\d+\.\d{{3}} st=0 inline id=\d+ '
            r'parent=\d+$',
            r'^trace: \d+\.\d{{3}} request example\.ping kernel->example ',
            r'^ktest: ok bus\.example_answers_ping',
            r'^supervisor: ktest-crashy failed \(generation 1\); restart in '
            r'1 ms',
            r'^supervisor: restarted ktest-crashy \(restart 1\)',
            r'^ktest: ok bus\.supervisor_restarts_faulty_service',
            r'^console: trace filter now "example\.\*"',
            r'^console: trace filter "Bad" refused: ',
            r'^ktest: ok bus\.trace_filter_changed_at_run_time',
            r'^ktest: [1-9]\d* passed, 0 failed',
        ],
        'reject': [r'^panic: ', r'not started'],
        'verdict': 'pass',
    },
    {
        # Routing rules from the command line: a good one in force, a
        # malformed one refused with its reason, the kernel boots on.
        'name': 'bus-rules',
        'cmdline': 'ktest=bus.cmdline_rule_denies_ping '
                   'bus.rule=deny,topic=example.ping,src=kernel '
                   'bus.rule=drop,topic=x',
        'module': False,
        'expect': [
            BANNER,
            r'^bus: rule 0: deny,topic=example\.ping,src=kernel$',
            r'^bootparam: bus\.rule=drop,topic=x: unknown action ',
            r'^ktest: ok bus\.cmdline_rule_denies_ping',
            r'^ktest: 1 passed, 0 failed',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # Console input through the bus: the runner types a line with a
        # typo and a DEL once the test waits; the UART's interrupt reaches
        # the console service (hw.irq.uart0), which echoes and publishes
        # the edited line (console.line) to the test.
        'name': 'console-echo',
        'cmdline': 'ktest=hal.console_echo',
        'module': False,
        'type': [(r'^ktest: hal\.console_echo: waiting for a line',
                  b'echo mx\x7fe\r'),
                 (r'^ktest: hal\.console_echo: got the first line',
                  b'and again\r')],
        'expect': [
            BANNER,
            r'^hal: console input on line \d+ \(hw\.irq\.uart0\)$',
            r'^sh> echo mx\x08 \x08e$',
            r'^sh> and again$',
            r'^ktest: ok hal\.console_echo',
            r'^ktest: 1 passed, 0 failed',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # The console shell, typed as a user would, each command after the
        # previous one answered: the namespace (/dev from devfs, /sys from
        # sysfs), the real-time clock detached and attached again (its
        # node vanishes and returns), a write through /dev/console, a
        # refused write, a routing rule written to /sys/bus/rules that
        # blocks /dev/console until it is deleted, a service's state read
        # from /sys/bus/services, an unknown command, the
        # registry, a line recalled with the up arrow twice and edited
        # ("bogus" + "2"), and poweroff to end it.
        'name': 'shell-session',
        'cmdline': '',
        'module': False,
        'type': [(r'^aegis: up in \d+ cycles', b'ls /dev\r'),
                 (r'^rtc0$', b'cat /dev/rtc0\r'),
                 (r' UTC$', b'detach rtc0\r'),
                 (r'^detach: rtc0 detached', b'cat /dev/rtc0\r'),
                 (r'^sh: cat: /dev/rtc0: no such entry', b'attach rtc0\r'),
                 (r'^attach: rtc0 attached', b'ls /dev\r'),
                 (r'^uart0$', b'cat /sys/mm/total\r'),
                 (r'^\d+$', b'echo hello shell > /dev/console\r'),
                 (r'^hello shell$', b'echo 1 > /sys/mm/free\r'),
                 (r'^sh: echo: /sys/mm/free: permission denied',
                  b'echo add deny,topic=node.write,src=devfs > '
                  b'/sys/bus/rules\r'),
                 (r'^sh> echo add deny.*rules$', b'echo blocked > /dev/console\r'),
                 # the rule went to the end, after the proc service's 4
                 (r'^sh: echo: /dev/console: operation not permitted',
                  b'echo del 4 > /sys/bus/rules\r'),
                 (r'^sh> echo del 4 > /sys/bus/rules$',
                  b'echo unblocked > /dev/console\r'),
                 (r'^unblocked$',
                  b'cat /sys/bus/services/devfs/state\r'),
                 (r'^running$', b'bogus\r'),
                 (r'unknown command', b'svc list\r'),
                 (r'^sysfs +running', b'\x1b[A\x1b[A2\r'),
                 (r'^sh: bogus2: unknown command', b'waitfor\r'),
                 (r'^waitfor: shell runs a handler',
                  b'cat /sys/bus/waitfor\r'),
                 (r'^waitfor: ns waits on sysfs',
                  b'echo 500 > /sys/bus/watchdog_ms\r'),
                 (r'^sh> echo 500 > /sys/bus/watchdog_ms$',
                  b'echo 5x > /sys/bus/watchdog_ms\r'),
                 (r'^sysfs: watchdog_ms: ',
                  b'echo 99999999999 > /sys/bus/watchdog_ms\r'),
                 (r'^sh> echo 99999999999 > /sys/bus/watchdog_ms$',
                  b'cat /sys/bus/watchdog_ms\r'),
                 # refused values lose nothing: still 500
                 (r'^500$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^null$',
            r'^rtc0$',
            r'^\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC$',
            r'^devtree: /(isa/rtc@70|pl031@9010000) detached$',
            r'^detach: rtc0 detached$',
            r'^sh: cat: /dev/rtc0: no such entry$',
            r'^devtree: /(isa/rtc@70|pl031@9010000) attached$',
            r'^attach: rtc0 attached$',
            r'^uart0$',
            r'^\d+$',
            r'^hello shell$',
            r'^sh: echo: /sys/mm/free: permission denied$',
            r'^sh: echo: /dev/console: operation not permitted$',
            r'^unblocked$',
            r'^running$',
            r'^sh: bogus: unknown command',
            r'^devfs +running +cpu 0$',
            r'^sh: bogus2: unknown command',
            r'^waitfor: shell runs a handler \(event console\.line from '
            r'console\) for \d+ ms$',
            r'^waitfor: shell waits on ns \(inline call\)$',
            r'^waitfor: ns waits on sysfs \(inline call\)$',
            r'^500$',
            r'^sysfs: watchdog_ms: a number of ms from 0 \(off\) to '
            r'600000$',
            # a number too big is refused too, and the period is kept
            r'^sh: echo: \S+: invalid argument',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # Every built-in service restarted from the shell, one after the
        # other, the console and the shell included: /dev, /sys, a user
        # program and the shell all work afterwards (ktest
        # restart.every_service_comes_back_whole checks that nothing
        # leaks; systest that stale handles answer ESTALE).
        'name': 'restart-every-service',
        'cmdline': '',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [
                 (r'^aegis: up in \d+ cycles',
                  b'run busybox mkdir /tmp/kept\r'),
                 (r'^sh: busybox \(pid \d+\) exited with 0$',
                  b'svc restart mm\r'),
                 (r'^svc: mm up$', b'svc restart sched\r'),
                 (r'^svc: sched up$', b'svc restart ns\r'),
                 (r'^svc: ns up$', b'svc restart proc\r'),
                 (r'^svc: proc up$', b'svc restart console\r'),
                 (r'^svc: console up$', b'svc restart example\r'),
                 (r'^svc: example up$', b'svc restart devtree\r'),
                 (r'^svc: devtree up$', b'svc restart rtc\r'),
                 (r'^svc: rtc up$', b'svc restart init\r'),
                 (r'^svc: init up$', b'svc restart power\r'),
                 (r'^svc: power up$', b'svc restart profiler\r'),
                 (r'^svc: profiler up$', b'svc restart devfs\r'),
                 (r'^svc: devfs up$', b'svc restart sysfs\r'),
                 (r'^svc: sysfs up$', b'svc restart cpus\r'),
                 (r'^svc: cpus up$', b'svc restart tmpfs\r'),
                 (r'^svc: tmpfs up$', b'svc restart shell\r'),
                 # the root's files outlive a restart of ns and tmpfs
                 (r'^service: started shell ', b'ls /tmp\r'),
                 (r'^kept/$', b'ls /dev\r'),
                 (r'^null$', b'cat /sys/cpus/list\r'),
                 (r'^0 +0 +online', b'cat /sys/mm/free\r'),
                 (r'^\d+$', b'run true\r'),
                 (r'^sh: true \(pid \d+\) exited with 0$',
                  b'echo back whole > /dev/console\r'),
                 (r'^back whole$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^svc: mm up$',
            r'^svc: sched up$',
            r'^svc: ns up$',
            r'^svc: proc up$',
            r'^svc: console up$',
            r'^svc: example up$',
            r'^svc: devtree up$',
            r'^svc: rtc up$',
            r'^svc: init up$',
            r'^svc: power up$',
            r'^svc: profiler up$',
            r'^svc: devfs up$',
            r'^svc: sysfs up$',
            r'^svc: cpus up$',
            r'^svc: tmpfs up$',
            r'^kept/$',
            r'^svc: shell restarting$',
            # the CPUs' table is the kernel's, not the service's: it
            # survives the restart whole
            r'^0 +0 +online +- +- +\d+ +\d+ +\d+ +the boot CPU$',
            r'^service: started shell \(bus id \d+, generation 2\)$',
            r'^null$',
            r'^\d+$',
            r'^sh: true \(pid \d+\) exited with 0$',
            r'^back whole$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: ', r'^sh: svc: ', r'no such entry'],
        'verdict': 'pass',
    },
    {
        # Every built-in service restarted three times over from a
        # kernel test: /dev and /sys answer, no grant stays lent, a
        # handle of the first ns is stale, and the free pages after the
        # second and third rounds are equal (test/kernel/restart.c).
        'name': 'restart-leaks-nothing',
        'cmdline': 'ktest=restart.every_service_comes_back_whole',
        'module': False,
        'expect': [
            BANNER,
            r'^ktest: restart: \d+ services, 3 rounds; free pages (\d+) '
            r'after the second, \1 after the third$',
            r'^ktest: ok restart\.every_service_comes_back_whole',
            r'^ktest: 1 passed, 0 failed',
        ],
        'reject': [r'^panic: ', r'^ktest: FAIL'],
        'verdict': 'pass',
    },
    {
        # The bus from the shell (services/shell/buscmd.c): counters of
        # the topics a pattern matches, a publish (a user.* topic made on
        # first use; one its contract refuses; no such topic; bad hex),
        # echo of a topic's events until a key, and top until a key.
        'name': 'bus-shell',
        'cmdline': '',
        'module': False,
        'type': [(r'^aegis: up in \d+ cycles', b'bus stats mm.page.*\r'),
                 (r'^mm\.page\.free ', b'bus stats Bad\r'),
                 (r'^sh: bus: stats: Bad', b'bus pub user.chat hello there\r'),
                 (r'^bus: user\.chat: ', b'bus pub user.chat 0x0g\r'),
                 (r'^sh: bus: pub: 0x', b'bus pub user.chat ' + b'a' * 41 + b'\r'),
                 (r'^sh: bus: pub: more', b'bus echo Bad*\r'),
                 (r'^sh: bus: echo: Bad', b'bus pub kernel.boot.done\r'),
                 (r'^sh: bus: pub: kernel\.boot\.done: ',
                  b'bus pub no.such\r'),
                 (r'^sh: bus: pub: no\.such', b'bus echo hw.irq.timer\r'),
                 (r'^bus echo: hw\.irq\.timer from kernel', b'\r'),
                 (r'^bus: echo stopped', b'bus top\r'),
                 (r'^bus top: hw\.irq\.timer', b'\r'),
                 (r'^bus: top stopped', b'bus bogus\r'),
                 (r'^sh: bus: pub TOPIC', b'cat /sys/bus/memory\r'),
                 (r'^memory allocs ', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^topic +published +delivered +drops +refused +subs$',
            r'^mm\.page\.alloc +\d+ +\d+ +0 +0 +0$',
            r'^sh: bus: stats: Bad: ',
            r'^bus: user\.chat: 11 bytes to 0 services$',
            r'^sh: bus: pub: 0x needs pairs of hex digits$',
            r'^sh: bus: pub: more than 40 bytes$',
            r'^sh: bus: echo: Bad\*: ',
            r'^sh: bus: pub: kernel\.boot\.done: refused by its contract '
            r'\(see /sys/bus/contracts\)$',
            r'^sh: bus: pub: no\.such: no such topic$',
            r'^bus: echo hw\.irq\.timer: every event as it comes; any key '
            r'stops$',
            r'^bus echo: hw\.irq\.timer from kernel, 8 bytes: 0x[0-9a-f]{{16}}$',
            r'^bus: echo stopped after \d+ events?$',
            r'^bus top: topic +msgs/s +service +runs/s$',
            r'^bus top: hw\.irq\.timer +\d+ ',
            r'^bus: top stopped$',
            r'^sh: bus: pub TOPIC \[text\|0xHEX\], echo PATTERN, stats '
            r'\[PATTERN\] or top$',
            r'^pool slots 1024 free \d+ queued \d+ max 1024 grown 0 '
            r'given_back 0 grow_failed 0$',
            r'^memory allocs \d+ frees \d+ reserve_allocs \d+ reserve_frees '
            r'\d+ failed 0 reserve_untouched \d+$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # The bus watchdog (bus/watch.c): a service whose handler spins
        # for 600 ms is reported from the timer's interrupt while it
        # runs, with the wait-for graph, and the message queued behind it
        # too (test/kernel/watch.c).
        'name': 'stuck-service',
        'cmdline': 'ktest=watch.stuck_service_is_reported',
        'module': False,
        'expect': [
            BANNER,
            r'^watchdog: ktest-stuck has run one handler for \d+ ms$',
            r'^waitfor: ktest-stuck runs a handler \(event ktest\.stuck '
            r'from kernel\) for \d+ ms$',
            r'^watchdog: ktest-stuck\'s queue has not moved for \d+ ms '
            r'\(1 queued\)$',
            r'^waitfor: ktest-stuck has 1 queued, not moved for \d+ ms$',
            r'^ktest: watch: \d+ report\(s\) while ktest-stuck ran 600 ms$',
            r'^ktest: ok watch\.stuck_service_is_reported',
            r'^ktest: 1 passed, 0 failed',
        ],
        'reject': [r'^panic: ', r'^ktest: FAIL'],
        'verdict': 'pass',
    },
    {
        # Quotas: a process without privilege (test/user/hog.c) and the
        # children it starts take all they may of every shared table -
        # topics, subscriptions, threads, sysfs's and ns's files, pages,
        # process slots - until each refuses; a privileged process
        # (rootcheck.c) then still opens files in /dev and /sys, maps
        # memory, starts a thread and a process, makes a topic and a
        # subscription.
        'name': 'quota-exhaustion',
        'cmdline': 'run=hog,+rootcheck run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^init: hog: started as pid 1$',
            r'^hog: pid 1: topics \d+ \(ENOSPC\), subscriptions 16 '
            r'\(ENOSPC\), threads 8 \(EAGAIN\), sysfs files 3 \(ok\), '
            r'files \d+ \(EMFILE\), pages \d+ \(ENOMEM\), children \d '
            r'\(EAGAIN\)$',
            r'^rootcheck: \d+ hogs hold all they may; root still opens '
            r'files in /dev and /sys, maps memory, starts a thread and a '
            r'process, makes a topic and a subscription: all of it$',
            r'^init: every program has ended; exiting \(0 failed\)$',
        ],
        'reject': [r'^panic: ', r'^rootcheck: line ', r'another error'],
        'verdict': 'pass',
    },
    {
        # init=busybox: the console's session is busybox's interactive
        # shell on the console's terminal (docs/TTY.md), with job
        # control: Ctrl-Z stops the foreground job, fg continues it,
        # Ctrl-C ends it, a background job is killed by its job number;
        # Ctrl-] gives the monitor's prompt for one command; exit
        # returns to the monitor's prompt
        'name': 'linux-session',
        'cmdline': 'init=busybox loglevel=4',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^Enter .help. for a list of built-in commands',
                  b'echo hello from the session\r', 1),
                 (r'^hello from the session$', b'tty; stty size\r', 0.3),
                 (r'^24 80$', b'ls /sh | wc -l\r', 0.3),
                 # (the console may show ash's next prompt first: a
                 # program's output and the shell's are two writers)
                 (r'(^|\$ )4$', [(b'\x1d', 0.3), (b'uptime\r', 0)], 0.5),
                 (r'up \d+:\d\d:\d\d\.\d+, ', b"trap 'echo got USR1' USR1; "
                                b"kill -USR1 $$\r", 0.5),
                 # Ctrl-Z: SIGTSTP to the foreground job stops it
                 (r'(^|\$ )got USR1$', [(b'sleep 100\r', 1.5),
                                        (b'\x1a', 0)], 0.5),
                 # fg continues it in the foreground, Ctrl-C ends it
                 (r'Stopped +sleep 100', [(b'fg\r', 1.5), (b'\x03', 0.5),
                                          (b'echo back $?\r', 0)], 0.5),
                 # a loop in ash itself, no system call in it after its
                 # first round (which says so): Ctrl-C's SIGINT reaches
                 # it between two instructions, its trap ends the loop,
                 # and the loop's variable is intact after the handler's
                 # sigreturn.  The trap is deliberate: without one, ash
                 # 1.35 longjmps out of its SIGINT handler wherever the
                 # loop is, and on Linux too that now and then loses the
                 # variable or deadlocks in free (docs/LINUX_ABI.md,
                 # tools/ash_sigint_race.py).  The keys wait for the
                 # loop's own line: under load the guest may not have
                 # started it 1.5 s after Enter
                 (r'(^|\$ )back 130$', b"i=0; trap 'stop=INT' INT; "
                                       b'while [ -z "$stop" ]; do '
                                       b'i=$((i+1)); [ $i = 1 ] && '
                                       b'echo spinning; done; trap - INT; '
                                       b'echo spun $((i > 0)) by $stop\r',
                  0.5),
                 (r'^spinning$', b'\x03', 0.5),
                 # (the terminal's echo of Ctrl-C, ^C, starts that line)
                 # Ctrl-Z stops a busy child (once it says it runs)
                 (r'spun 1 by INT$', b"sh -c 'echo busy; while :; do :; "
                                     b"done'\r", 0.5),
                 (r'^busy$', b'\x1a', 0.5),
                 (r'Stopped +sh -c', b'kill -9 %1; sleep 1; jobs; '
                                     b'echo killed\r', 0.5),
                 (r'(^|\$ )killed$', b'sleep 60 &\r', 0.5),
                 (r'sleep 60 &$', b'jobs; kill %1; wait %1; '
                                  b'echo status $?\r', 0.5),
                 # the console restarts: the session keeps a terminal
                 (r'(^|\$ )status 143$', [(b'\x1d', 0.3),
                  (b'svc restart console\r', 0)], 0.5),
                 (r"has the console's new terminal$",
                  b'echo after restart\r', 1.5),
                 (r'^after restart$', b'exit 4\r', 0.5),
                 (r'ended with 4', b'poweroff\r')],
        'expect': [
            BANNER,
            r"^sh: session: busybox \(pid 1\) has the console's terminal",
            r'^BusyBox v1\.35\.0 .* built-in shell \(ash\)$',
            r'^hello from the session$',
            r'^/dev/console$',
            r'^24 80$',
            r'(^|\$ )4$',
            r'up \d+:\d\d:\d\d\.\d+, \d+ services',
            r'(^|\$ )got USR1$',
            r'\[1\]\+ +Stopped +sleep 100$',
            r'(^|\$ )back 130$',
            r'spun 1 by INT$',
            r'\[1\]\+ +Stopped +sh -c',
            r'\[1\]\+ +Killed +sh -c',
            r'(^|\$ )killed$',
            r'\[1\]\+ +Running +sleep 60$',
            r'(^|\$ )status 143$',
            r"^sh: session: busybox \(pid 1\) has the console's new "
            r"terminal$",
            r'^after restart$',
            r"sh: session: busybox \(pid 1\) ended with 4; the "
            r"monitor's prompt again$",
        ],
        'reject': [r'^panic: ', r"can't access tty", r"can't set tty"],
        'verdict': 'pass',
    },
    {
        # execve's program cache (docs/LINUX_ABI.md): the second run of
        # busybox is a hit; memory falling below mm's low mark (a file
        # filling tmpfs, with the mark at half of memory) empties it;
        # the next run loads busybox again
        'name': 'exec-cache',
        'cmdline': 'init=busybox loglevel=4 mm.low=50 tmpfs.pages=60000',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        # (the cache is read by ash's builtins: cat would be one more
        # execve of busybox)
        'type': [(r'^Enter .help. for a list of built-in commands',
                  b'/bin/busybox true; /bin/busybox true; '
                  b'read l < /sys/proc/exec_cache; echo "$l"\r', 1),
                 (r'^programs 1 of 4, pages \d+ of 2048, leaving 0; '
                  r'hits 1, misses 1, dropped 0$',
                  b'dd if=/dev/zero of=/tmp/fill bs=4096 count=38400 '
                  b'2>/dev/null; read l < /sys/proc/exec_cache; '
                  b'echo "$l"\r', 0.5),
                 (r'^programs 0 of 4, pages 0 of 2048, leaving 0; '
                  r'hits \d+, misses 1, dropped 1$',
                  b'rm /tmp/fill; /bin/busybox true; '
                  b'read l < /sys/proc/exec_cache; echo "$l"\r', 0.5),
                 (r'^programs 1 of 4, .* misses 2, dropped 1$',
                  b'exit\r', 0.5),
                 (r'ended with 0', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^programs 1 of 4, pages \d+ of 2048, leaving 0; hits 1, '
            r'misses 1, dropped 0$',
            r'^programs 0 of 4, pages 0 of 2048, leaving 0; hits \d+, '
            r'misses 1, dropped 1$',
            r'^programs 1 of 4, pages \d+ of 2048, leaving 0; hits \d+, '
            r'misses 2, dropped 1$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # Linux's threads (test/user/linuxthread.c, the same binary
        # test/unit/linux_reference.py runs under Linux): clone with
        # CLONE_THREAD, thread ids, CLONE_SETTLS, shared memory, futex
        # waits and wakes, the join through CLONE_CHILD_CLEARTID, tgkill,
        # clone's flag rules, 8 threads a process, exit_group from a
        # thread, execve with a thread alive
        'name': 'linux-threads',
        'cmdline': 'run=linuxthread run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: linuxthread: pid 1, .*, Linux$',
            r'^linuxthread: [1-9]\d+ checks, 0 failed$',
            r'^init: linuxthread \(pid 1\) exited with 0$',
        ],
        # (its children that touch PROT_NONE memory are killed by it)
        'reject': [r'^panic: ', r'^linuxthread: line ',
                   r'linuxthread \(pid 1, thread \d+\) killed'],
        'verdict': 'pass',
    },
    {
        # glibc's threads, unmodified (test/linux/pthreads.c, a static
        # glibc program the arch's gcc builds; the same binary runs under
        # Linux in linux-reference): pthread_create's own stacks (mmap
        # PROT_NONE, mprotect), mutexes, a condition variable, a
        # semaphore, a barrier, TLS, pthread_kill, a detached thread
        'name': 'linux-pthreads',
        'cmdline': 'run=pthreads run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: pthreads: pid 1, .*, Linux$',
            r'^pthreads: [1-9]\d+ checks, 0 failed$',
            r'^init: pthreads \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^pthreads: line ', r'killed'],
        'verdict': 'pass',
    },
    {
        # a static position-independent glibc program (test/linux/pie.c,
        # gcc -static-pie; the same binary runs under Linux in
        # linux-reference): ET_DYN loaded at ELF_PIE_BASE, relocating
        # itself; its data's pointers, TLS, the auxiliary vector
        'name': 'linux-pie',
        'cmdline': 'run=pie run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: pie: pid 1, .*, entry 0x5555[0-9a-f]+, .*, Linux$',
            r'^pie: [1-9]\d+ checks, 0 failed$',
            r'^init: pie \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^pie: line ', r'killed'],
        'verdict': 'pass',
    },
    {
        # The console's terminal, checked request by request
        # (test/user/linuxtty.c, the same binary test/unit/
        # linux_reference.py runs on a Linux pseudo-terminal): termios,
        # window size, the controlling terminal and its foreground group,
        # VMIN/VTIME, SIGTTIN/SIGTTOU job control, a typed line with an
        # erase, Ctrl-D and Ctrl-C; then /sys/console/tty from the monitor
        'name': 'linux-tty',
        'cmdline': 'init=linuxtty init.args=- loglevel=4',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^linuxtty: type 1$', b'ab\x7fc\r\x04', 0.3),
                 (r'^linuxtty: type 2$', b'\x03', 0.3),
                 (r'ended with 0', b'cat /sys/console/tty\r', 0.3),
                 (r'^lost \d+$', b'poweroff\r')],
        'expect': [
            BANNER,
            r"^sh: session: linuxtty \(pid 1\) has the console's terminal",
            r'^linuxtty: written from the background$',
            # (after Ctrl-C's echo, "^C", on its line)
            r'linuxtty: [1-9]\d+ checks, 0 failed$',
            r"sh: session: linuxtty \(pid 1\) ended with 0; the "
            r"monitor's prompt again$",
            r'^session 0$',
            r'^rows 30$',
            r'^cols 100$',
            r'^signals 1$',
        ],
        'reject': [r'^panic: ', r'^linuxtty: line '],
        'verdict': 'pass',
    },
    {
        # /proc/PID/maps (docs/FILESYSTEM.md): a root process's is
        # refused to another user and shown to root (its program's
        # segments named by its path); a process's own, with [heap],
        # [stack] and [sigpage]
        'name': 'proc-maps',
        'cmdline': 'loglevel=4',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^aegis: up in', b'run +busybox sleep 60\r'),
                 (r'^sh: busybox: pid 1, privileged',
                  b'run busybox cat /proc/1/maps\r'),
                 (r'exited with 1$', b'run +busybox cat /proc/1/maps\r'),
                 (r'exited with 0$', b'run busybox cat /proc/self/maps\r'),
                 (r'\[sigpage\]$', b'poweroff\r')],
        'expect': [
            BANNER,
            r"^cat: can't open '/proc/1/maps': Permission denied$",
            r'^[0-9a-f]{{8,}}-[0-9a-f]{{8,}} r-xp [0-9a-f]{{8}} 00:00 0 +/busybox$',
            r'^[0-9a-f]{{8,}}-[0-9a-f]{{8,}} rw-p 00000000 00:00 0 +\[heap\]$',
            r'^[0-9a-f]{{8,}}-[0-9a-f]{{8,}} rw-p 00000000 00:00 0 +\[stack\]$',
            r'^[0-9a-f]{{8,}}-[0-9a-f]{{8,}} r-xp 00000000 00:00 0 +\[sigpage\]$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # busybox sh as the Linux personality runs it (test/user/sh/):
        # fork, execve of ELF files and "#!" scripts, wait4's exit codes,
        # pipes and command substitution, /proc (self, exe, comm, ps,
        # free, meminfo), and ash's own fallback for a file execve will
        # not run (it runs /proc/self/exe as a shell)
        'name': 'linux-shell',
        'cmdline': 'loglevel=4',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^aegis: up in', b'run busybox sh /sh/fork.sh\r'),
                 (r'^sh: busybox \(pid \d+\) exited with 0$',
                  b'run busybox sh /sh/exec.sh a b\r'),
                 (r'^sh: busybox \(pid \d+\) exited with 5$',
                  b'run busybox sh /sh/pipe.sh\r'),
                 (r'^v=x$', b'run busybox sh /sh/proc.sh\r'),
                 (r'^empty script: 0$', b'cat /sys/pipe/usage\r'),
                 (r'^bytes \d+$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^start$',
            r'^subshell status 3$',
            r'^[0-9]$',
            r'^calls$',
            r'^false failed as it should$',
            r'^end$',
            r'^exec: /sh/exec.sh 2: a b$',
            r'^through /bin/busybox$',
            r'^got captured$',
            r'^piped$',
            r'^sh: busybox \(pid \d+\) exited with 5$',
            r'^a$', r'^b$', r'^c$',
            r'^line 1$', r'^line 2$', r'^line 3$',
            r'^v=x$',
            r'^self: PID$',
            r'^/busybox$',
            r'^busybox$',
            r'^busybox sh /sh/proc.sh $',
            r'^ *PID +USER +COMMAND$',
            r'^ +\d+ +1000 +busybox sh /sh/proc.sh$',
            r'^Mem: +\d+ +\d+ +\d+ +0 +0 +\d+$',
            r'^MemTotal: +\d+ kB$',
            r'^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+/\d+ \d+$',
            r'^Aegis version 0\.1\.0 \((x86_64|aarch64)\)$',
            r'^empty script: 0$',
            r'^pipes 0 of 64$',
        ],
        'reject': [r'^panic: ', r'killed', r'not found$'],
        'verdict': 'pass',
    },
    {
        # A hostile Linux program (test/user/linuxhostile.c): kernel
        # addresses, huge and negative lengths, unknown numbers, ids not
        # its own; every Linux call answers Linux's error and the program
        # ends normally.
        'name': 'linux-hostile',
        'cmdline': 'run=linuxhostile run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: linuxhostile: pid 1, .*, Linux$',
            r'^linuxhostile: [1-9]\d+ checks, 0 failed$',
            r'^init: linuxhostile \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^linuxhostile: line ', r'killed'],
        'verdict': 'pass',
    },
    {
        # Linux's process calls (test/user/linuxproc.c): fork and wait4's
        # statuses, kill and SIGPIPE's default action, process groups
        # and sessions, execve's refusals, poll, the ids, prctl; the same
        # binary passes under Linux itself in linux-reference
        'name': 'linux-procs',
        'cmdline': 'run=linuxproc run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: linuxproc: pid 1, .*, Linux$',
            r'^linuxproc: [1-9]\d+ checks, 0 failed$',
            # (its prctl(PR_SET_NAME) renamed it)
            r'^init: lpname \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^linuxproc: line ', r'killed'],
        'verdict': 'pass',
    },
    {
        # Linux's signals (test/user/linuxsig.c): handlers with their
        # siginfo and ucontext, masks, rt_sigsuspend, SIGCHLD, waits a
        # signal interrupts or restarts, SIGPIPE caught; the same binary
        # passes under Linux itself in linux-reference
        'name': 'linux-signals',
        'cmdline': 'run=linuxsig run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: linuxsig: pid 1, .*, Linux$',
            # (faults: its handler blocked, and none at all)
            r'^user: linuxsig \(pid \d+, thread \d+\) killed: '
            r'(page fault|data abort) at pc 0x[0-9a-f]+, address 0x[0-9a-f]+$',
            r'^user: linuxsig \(pid \d+, thread \d+\) killed: '
            r'(invalid opcode|undefined instruction) at pc',
            r'^user: linuxsig \(pid \d+, thread \d+\) killed: '
            r'(page fault|data abort) at pc 0x[0-9a-f]+, address 0x1234$',
            r'^linuxsig: [1-9]\d+ checks, 0 failed$',
            r'^init: linuxsig \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^linuxsig: line ',
                   r'killed: (?!page fault|data abort|invalid opcode|'
                   r'undefined instruction)'],
        'verdict': 'pass',
    },
    {
        # Linux's file system calls on the root tmpfs (test/user/
        # linuxfs.c): the same binary passes under Linux itself in
        # linux-reference (test/unit/linux_reference.py)
        'name': 'linux-files',
        'cmdline': 'run=linuxfs run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^proc: linuxfs: pid 1, .*, Linux$',
            r'^linuxfs: [1-9]\d+ checks, 0 failed$',
            r'^init: linuxfs \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^linuxfs: line ', r'killed'],
        'verdict': 'pass',
    },
    {
        # Each thread's floating-point/SIMD registers are its own
        # (test/user/fpukeep.c): two programs take turns on one CPU for
        # 400 ms, each with a value of its own in xmm0 / d0 across every
        # yield.
        'name': 'fpu-kept',
        'cmdline': 'run=fpukeep,fpukeep run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^fpukeep: pid 1: over 100 yields, 0 values lost$',
            r'^fpukeep: pid 2: over 100 yields, 0 values lost$',
            r'^init: fpukeep \(pid 1\) exited with 0$',
            r'^init: fpukeep \(pid 2\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'after a yield, not'],
        'verdict': 'pass',
    },
    {
        # The Linux personality (docs/LINUX_ABI.md): Debian's busybox-static,
        # unmodified, starts through glibc's start-up (brk, the thread
        # pointer, set_tid_address, ...), prints its usage and exits with
        # 0; the calls Aegis does not have are -ENOSYS, said once each
        # and counted in /sys/linux/enosys.
        'name': 'linux-busybox',
        'cmdline': 'run=busybox loglevel=7 trace=linux.*',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^init: busybox \(pid 1\) exited',
                  b'cat /sys/linux/enosys\r'),
                 (r'^nr +calls', b'cat /sys/linux/calls\r'),
                 (r'^prlimit64 +\d+$', b'run busybox echo hello, world\r'),
                 (r'^sh: busybox \(pid 2\) exited', b'run busybox uname -a\r'),
                 (r'^sh: busybox \(pid 3\) exited', b'run busybox false\r'),
                 (r'^sh: busybox \(pid 4\) exited', b'run busybox date\r'),
                 (r'^sh: busybox \(pid 5\) exited', b'run busybox pwd\r'),
                 (r'^sh: busybox \(pid 6\) exited',
                  b'run busybox sleep 1\r'),
                 (r'^sh: busybox \(pid 7\) exited',
                  b'run busybox cat /sys/cpus/online\r'),
                 (r'^sh: busybox \(pid 8\) exited', b'run busybox ls /sys\r'),
                 (r'^sh: busybox \(pid 9\) exited',
                  b'run busybox ls -l /dev/null\r'),
                 (r'^sh: busybox \(pid 10\) exited',
                  b'run busybox cat /nothing\r'),
                 (r'^sh: busybox \(pid 11\) exited', b'run busybox uptime\r'),
                 (r'^sh: busybox \(pid 12\) exited', b'run hello there\r'),
                 # sethostname: a privileged program's name is
                 # uname's; without privilege, EPERM
                 (r'take no arguments', b'run +busybox hostname box\r'),
                 (r'^sh: busybox \(pid 13\) exited',
                  b'run busybox uname -n\r'),
                 (r'^box$', b'run busybox hostname other\r'),
                 # /proc's mounts, stat and fd, and statfs
                 (r'^sh: busybox \(pid 15\) exited',
                  b'run busybox mount\r'),
                 (r'^sh: busybox \(pid 16\) exited',
                  b'run busybox top -b -n 1\r'),
                 (r'^sh: busybox \(pid 17\) exited',
                  b'run busybox ls /proc/self/fd\r'),
                 (r'^sh: busybox \(pid 18\) exited',
                  b'run busybox df /\r'),
                 # the random service's state (docs/RANDOM.md)
                 (r'^sh: busybox \(pid 19\) exited',
                  b'run busybox cat /sys/random/state\r'),
                 # and reboot(2): busybox's poweroff turns the machine
                 # off through the power service
                 (r'^sh: busybox \(pid 20\) exited',
                  b'run +busybox poweroff -f\r')],
        'expect': [
            BANNER,
            r'^proc: busybox: pid 1, thread \d+, \d segments, entry '
            r'0x4[0-9a-f]+, user-busybox-1, Linux$',
            r'^BusyBox v1\.35\.0 \(Debian [^)]*\) multi-call binary\.$',
            r'^Usage: busybox \[function \[arguments\]\.\.\.\]$',
            r'^init: busybox \(pid 1\) exited with 0$',
            r'^linux: pid 1 called system call \d+ \((x86_64|aarch64)\), '
            r'which Aegis does not have: -ENOSYS$',
            # anywhere in a line: a program's unfinished line may be on
            # the console when the trace prints
            r'trace: [0-9.]+ event linux\.enosys kernel->\* p4 .* seq=\d+ '
            r'unheard ',
            r'^nr +calls +\((x86_64|aarch64)\)$',
            r'^write +[1-9]\d*$',
            r'^exit_group +1$',
            r'^brk +[1-9]\d*$',
            # arguments, through the shell
            r'^hello, world$',
            r'^sh: busybox \(pid 2\) exited with 0$',
            r'^Aegis aegis 0\.1\.0 #1 SMP (x86_64|aarch64) GNU/Linux$',
            r'^sh: busybox \(pid 3\) exited with 0$',
            r'^sh: busybox \(pid 4\) exited with 1$',
            # the real-time clock (QEMU's is the host's), the working
            # directory, a sleep
            r'^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) '
            r'(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d '
            r'[012]\d:[0-5]\d:[0-6]\d UTC 20\d\d$',
            r'^sh: busybox \(pid 5\) exited with 0$',
            r'^/$',
            r'^sh: busybox \(pid 6\) exited with 0$',
            r'^sh: busybox \(pid 7\) exited with 0$',
            # files of the node namespace (/sys, /dev)
            r'^[1-4]$',
            r'^sh: busybox \(pid 8\) exited with 0$',
            r'^cpus$', r'^linux$', r'^mm$',
            r'^sh: busybox \(pid 9\) exited with 0$',
            r'^crw-rw-rw- +1 0 +0 +0, +0 Jan  1  1970 /dev/null$',
            r'^sh: busybox \(pid 10\) exited with 0$',
            r"^cat: can't open '/nothing': No such file or directory$",
            r'^sh: busybox \(pid 11\) exited with 1$',
            # sysinfo: the uptime and the load averages
            r'\d\d:\d\d:\d\d up \d+ min, +0 users, +load average: '
            r'\d+\.\d\d, \d+\.\d\d, \d+\.\d\d$',
            r'^sh: busybox \(pid 12\) exited with 0$',
            r"^proc: hello: Aegis's own programs take no arguments$",
            r'^box$',
            r'^hostname: sethostname: Operation not permitted$',
            # /proc/mounts (ns's mounts), /proc/stat and the rest top
            # reads, /proc/PID/fd, statfs of the root tmpfs
            r'^tmpfs on / type tmpfs \(rw\)$',
            r'^devtmpfs on /dev type devtmpfs \(rw\)$',
            r'^sysfs on /sys type sysfs \(rw\)$',
            r'^proc on /proc type proc \(rw\)$',
            r'^sh: busybox \(pid 16\) exited with 0$',
            r'^Mem: \d+K used, \d+K free, ',
            r'^CPU: +\d+% usr +\d+% sys +\d+% nic +\d+% idle ',
            r'^Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d [1-9]\d*/\d+ \d+$',
            r'^ +17 +0 1000 +R +\d+ +\d+% +\d+% busybox top -b -n 1$',
            r'^sh: busybox \(pid 17\) exited with 0$',
            r'^0$', r'^1$', r'^2$', r'^3$',
            r'^sh: busybox \(pid 18\) exited with 0$',
            r'^tmpfs +\d+ +\d+ +\d+ +\d+% /$',
            r'^sh: busybox \(pid 19\) exited with 0$',
            r'^ready +(yes|no)$', r'^credited +\d+ bits$',
            r'^events +\d+$', r'^reseeds +\d+$',
            r'^sh: busybox \(pid 20\) exited with 0$',
            r'^power: off, asked by root-busybox-21$',
        ],
        'reject': [r'^panic: ', r'^user: busybox', r'killed'],
        'verdict': 'pass',
    },
    {
        # Rules cannot brick the machine: "add deny" refuses every user
        # process's message but the shell, ns and sysfs go on; "clear"
        # keeps the default privilege rules and "clear all" is needed to
        # drop them; a rule that can never take effect is refused with the
        # reason and "ins N" puts it where it does; withholding between
        # the console's services is refused.
        'name': 'rules-cannot-brick',
        'cmdline': '',
        'module': False,
        'type': [(r'^aegis: up in \d+ cycles',
                  b'echo add deny > /sys/bus/rules\r'),
                 (r'^sh> echo add deny > /sys/bus/rules$',
                  b'cat /sys/bus/rules\r'),
                 (r'^4 deny hits \d+ drops \d+$',
                  b'echo clear > /sys/bus/rules\r'),
                 (r'^sh> echo clear > /sys/bus/rules$', b'cat /sys/bus/rules\r'),
                 (r'^3 deny,src=user-\* hits \d+ drops \d+ default$',
                  b'echo add allow,topic=x.y,src=user-* > /sys/bus/rules\r'),
                 (r'^sh: echo: \S+: invalid argument',
                  b'echo ins 3 allow,topic=x.y,src=user-* > /sys/bus/rules\r'),
                 (r'^sh> echo ins 3 ', b'echo add deny,src=shell,dst=ns > '
                                   b'/sys/bus/rules\r'),
                 (r'^sh: echo: \S+: invalid argument',
                  b'cat /sys/bus/rules\r'),
                 (r'^4 deny,src=user-\* hits \d+ drops \d+ default$',
                  b'echo clear all > /sys/bus/rules\r'),
                 (r'^sysfs: rules: every rule cleared', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^4 deny hits \d+ drops \d+$',
            r'^0 deny,topic=power\.\*,src=user-\* hits \d+ drops \d+ '
            r'default$',
            r'^sysfs: rules: never reached: rule 3 decides all it would '
            r'match first \(ins N RULE puts one before it\)$',
            r'^3 allow,topic=x\.y,src=user-\* hits \d+ drops \d+$',
            r'^sysfs: rules: console, shell, ns and sysfs always reach each '
            r'other \(the way back from a bad rule\)$',
            r'^sysfs: rules: every rule cleared, the default privilege rules '
            r'too$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # User programs from the initrd (test/user/, a cpio archive given
        # as the boot module), run by init: one speaks through the system
        # calls and exits with 0, one writes through a null pointer and
        # is killed alone; a name not in the archive is reported.
        'name': 'user-programs',
        'cmdline': 'run=hello,fault,nothing,wx',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^init: hello: started as pid \d+$',
            r'^proc: hello: pid \d+, thread \d+, \d segments?, entry '
            r'0x[0-9a-f]+, user-hello-\d+$',
            r'^init: nothing: not in the initrd$',
            r'^proc: wx: not a program this kernel runs: a segment both '
            r'writable and executable \(W\^X\)$',
            r'^init: wx: cannot start: ',
            r'^hello: pid \d+ on Aegis [0-9.]+ (x86_64|aarch64), in user '
            r'mode$',
            r'^fault: writing to address 16$',
            r'^user: fault \(pid \d+, thread \d+\) killed: (page fault|data abort) '
            r'at pc 0x[0-9a-f]+, address 0x10$',
            r'^init: fault \(pid \d+\) exited with -14$',
            r'^hello: slept \d+ ms, bye$',
            r'^init: hello \(pid \d+\) exited with 0$',
            r'^sh: true: pid \d+$',
            r'^sh: true \(pid \d+\) exited with 0$',
            r'^run \[\+\]program \[arguments\], a program of the initrd:$',
            r'^true +\d+$',
            r'^countdown +\d+$',
            r'^power: off, asked by shell$',
        ],
        # then the shell starts one more (run) and hears of its end, and
        # lists the initrd (run alone: /sys/proc/initrd, the tests' and
        # user/'s programs)
        'type': [(r'^init: hello \(pid \d+\) exited with 0$',
                  b'run true\r'),
                 (r'^sh: true \(pid \d+\) exited with 0$', b'run\r'),
                 # (the fault's end is the proc service's to tell,
                 # in its own time: a loaded host may hold it past the
                 # listing)
                 ((r'^countdown +\d+$',
                   r'^init: fault \(pid \d+\) exited with -14$'),
                  b'poweroff\r')],
        'reject': [r'^panic: ', r'^fault: still alive'],
        'verdict': 'pass',
    },
    {
        # Every system call family from a process without privilege
        # (test/user/systest.c): files, memory, spawn and wait, the bus
        # and the routing rules that refuse it the kernel's topics and
        # reboot; a child that leaks everything gives every page back;
        # a child of several threads exits with two still running, and
        # a fault in one thread ends the whole process.
        'name': 'user-syscalls',
        'cmdline': 'run=systest run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^init: systest: started as pid 1$',
            r'^leak: 13 files open, 64 pages mapped; exiting$',
            # two threads of one process at once when there are CPUs
            # for them (integration-smp4), said so with one
            r'^threads: (one CPU: not run in parallel|two threads ran at '
            r'once on [2-9] CPUs)$',
            r'^threads: 3 threads counted to 3000; exiting with two more '
            r'running$',
            r'^user: threadfault \(pid \d+, thread \d+\) killed: ',
            r'^systest: contracts: 5 refused$',
            r'^systest: mm refused 6 of 6$',
            r'^systest: mailbox: (32 of 40 kept, gap 8|(3[3-9]|40) of 40 kept, gap \d) told$',
            r'^systest: user-systest-1: \d+ checks, 0 failed$',
            r'^init: systest \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^systest: line ', r'^threads: the waiter',
                   r'^leak: (?!13 )',
                   r'^threadfault: still alive'],
        'verdict': 'pass',
    },
    {
        # The same with privilege (run=+systest): uid 0, the device and
        # root's attribute answer, and the kernel's services too.
        'name': 'user-syscalls-root',
        'cmdline': 'run=+systest run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^init: systest: started as pid 1, privileged$',
            r'^systest: forged references: 42 of 42 refused$',
            r'^systest: contracts: 5 refused$',
            r'^systest: mm refused 6 of 6$',
            r'^systest: mailbox: (32 of 40 kept, gap 8|(3[3-9]|40) of 40 kept, gap \d) told$',
            r'^systest: files came back after devfs and ns restarted$',
            r'^systest: root-systest-1: \d+ checks, 0 failed$',
            r'^init: systest \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^systest: line '],
        'verdict': 'pass',
    },
    {
        # Topics a process made go back once it has ended, when the room
        # is wanted (test/user/topics.c): 40 children in turn each make 16
        # topics of their own, 640 in all, more than the bus holds; every
        # child gets its 16, and the first child's are gone.
        'name': 'topics-reclaimed',
        'cmdline': 'run=topics run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^topics: 1040 children made 16 topics each, every one given; '
            r'\d+ topics before, \d+ after$',
            r'^init: topics \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^topics: line '],
        'verdict': 'pass',
    },
    {
        # The bus holds every message to its contract (contracts/): a
        # root process's malformed messages are refused, traced as they
        # happen ("refused=<why>") and counted in /sys/bus/contracts; and
        # nothing the kernel's own services sent in the whole boot and
        # run was refused (the totals are systest's alone).
        'name': 'contract-refusals',
        'cmdline': 'trace=mm.stats,service.up run=+systest',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^init: systest \(pid 1\) exited with 0$',
                  b'cat /sys/bus/contracts\r'),
                 (r'^sysfs\.show 1$', b'cat /sys/bus/topics/mm.stats/refused\r'),
                 (r'^3$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^trace: \d+\.\d{{3}} event mm\.stats root-systest-1->\* p\d '
            r'wait=0\.000 run=0\.000 refused=kind id=\d+( parent=\d+)?$',
            r'^trace: \d+\.\d{{3}} request mm\.stats root-systest-1->mm p\d '
            r'wait=0\.000 run=0\.000 st=-74 refused=size id=\d+'
            r'( parent=\d+)?$',
            r'^trace: \d+\.\d{{3}} event service\.up root-systest-1->\* p0 '
            r'wait=0\.000 run=0\.000 refused=sender id=\d+'
            r'( parent=\d+)?$',
            r'^systest: contracts: 5 refused$',
            r'^systest: mm refused 6 of 6$',
            r'^systest: mailbox: (32 of 40 kept, gap 8|(3[3-9]|40) of 40 kept, gap \d) told$',
            r'^refused 7: kind 2 size 1 sender 3 receiver 1 reply 0$',
            r'^mm\.stats 3$',
            r'^mm\.pages\.low 1$',
            r'^mm\.pages\.exhausted 1$',
            r'^service\.up 1$',
            r'^sysfs\.show 1$',
            r'^3$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: ', r'^systest: line '],
        'verdict': 'pass',
    },
    {
        # Two processes ping-pong over the bus (test/user/ping.c, pong.c):
        # 1000 numbered events published on user.ping, each sent straight
        # back on user.pong, every one checked.
        'name': 'user-pingpong',
        'cmdline': 'run=pong,ping run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^pong: answered 1000 pings$',
            r'^ping: 1000 round trips with pong over the bus, every answer '
            r'right, \d+ us each$',
            r'^init: ping \(pid 2\) exited with 0$',
            r'^init: pong \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^user: '],
        'verdict': 'pass',
    },
    {
        # A user's own program (user/countdown.c, docs/WRITING_A_PROGRAM.md)
        # is in the initrd beside the tests' and runs as the guide says.
        'name': 'user-own-program',
        'cmdline': 'run=countdown run.exit',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^countdown: pid 1, from [3-7]$',
            r'^countdown: 1$',
            r'^countdown: done after \d+ ms$',
            r'^init: countdown \(pid 1\) exited with 0$',
        ],
        'reject': [r'^panic: ', r'^user: '],
        'verdict': 'pass',
    },
    {
        # A privileged process turns the machine off through the
        # poweroff call: the power service says who asked, and QEMU ends
        # (x86_64 through the test exit device, with success; AArch64
        # through PSCI).
        'name': 'user-poweroff',
        'cmdline': 'run=+halt',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'expect': [
            BANNER,
            r'^halt: powering off$',
            r'^power: off, asked by root-halt-1$',
        ],
        'reject': [r'^panic: ', r'^halt: refused'],
        'verdict': 'pass',
    },
    {
        # The profiler from the shell around two processes playing
        # ping-pong: per-service and per-topic times from the bus trace,
        # program counters sampled at the timer, /sys/profiler.
        'name': 'profiler-session',
        'cmdline': 'run=pong,ping',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^aegis: up in', b'prof start\r'),
                 (r'^init: ping \(pid 2\) exited with 0$', b'prof stop\r'),
                 (r'^profiler: stopped after', b'prof report\r'),
                 (r'^profiler: address +samples', b'cat /sys/profiler/state\r'),
                 (r'^stopped$', b'prof bogus\r'),
                 (r'^sh: prof: start, stop, report or dump', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^profiler: started \(one sample each timer tick\)$',
            r'^profiler: stopped after \d+ ms: \d+ dispatches, \d+ samples$',
            r'^profiler: stopped, \d+ ms, \d+ dispatches, \d+ samples '
            r'\(0 lost\), clock \d+ Hz$',
            r'^profiler: service +runs +wait p50 +wait p99 +run p50 +run p99 '
            r'\(ns\)$',
            r'^profiler: sched +\d+ +\d+ +\d+ +\d+ +\d+$',
            r'^profiler: user\.ping +\d+ ',
            r'^profiler: hw\.irq\.timer +\d+ ',
            r'^profiler: 0x[0-9a-f]+ +\d+ +\d+%$',
            r'^stopped$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # The system-call fuzzer (test/user/fuzz.c): 100 000 calls with
        # random numbers (all 28 calls, and unknown ones) and nasty
        # arguments, every answer an error code or a result the call can
        # give; then the kernel still runs a shell command.
        'name': 'syscall-fuzz',
        'cmdline': 'run=fuzz',
        'module': 'user',
        'kvm_skip': 'SYSCALL from ring 3 faults under kvm_pvm '
                    '(docs/TESTING.md)',
        'type': [(r'^init: fuzz \(pid \d+\) exited with 0$',
                  b'poweroff\r')],
        'expect': [
            BANNER,
            r'^fuzz: 100000 calls: \d+ answered with an error, \d+ with a '
            r'result, 0 wrong$',
            r'^init: fuzz \(pid \d+\) exited with 0$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: ', r'^user: '],
        'verdict': 'pass',
    },
    {
        # A PC without a UART at COM1: nothing to print to and no input,
        # but the kernel must not wait on a port that is not there (the
        # receive drain once spun forever on a floating bus's 0xff).
        'name': 'no-serial',
        'arch': 'x86_64',
        'serial': 'none',
        'cmdline': 'ktest=hal',
        'module': False,
        'expect': [],
        'reject': [],
        'verdict': 'pass',
    },
    {
        # `scons run` as a user meets it: QEMU with the serial console and
        # its monitor on the terminal (-serial mon:stdio), "poweroff" typed
        # at the shell; what scons run then says and its exit status come
        # from tools/qemu.py's run_outcome: 0, "powered off".
        'name': 'scons-run-poweroff',
        'configs': ('x86_64-bios', 'x86_64-pvh', 'aarch64-gicv2'),
        'interactive': True,
        'outcome': (0, 'powered off'),
        'cmdline': '',
        'module': False,
        'type': [(r'^aegis: up in \d+ cycles', b'poweroff\r')],
        'expect': [BANNER, r'^power: off, asked by shell'],
        'reject': [],
        'verdict': 'pass',
    },
    {
        # ... and a panic under scons run ends it non-zero, saying so.
        'name': 'scons-run-panic',
        'configs': ('x86_64-pvh', 'aarch64-gicv2'),
        'interactive': True,
        'outcome': (1, 'panicked'),
        'cmdline': 'ktest=ktest.hal_panic',
        'module': False,
        'expect': [BANNER, r'^deliberate HAL panic 42'],
        'reject': [],
        'verdict': 'panic',
    },
    {
        # The shell as a user meets it: the prompt; Tab completing a
        # command and a path, and listing what is ambiguous; cat of an
        # endless file stopped by Ctrl-C; a line edited with the cursor
        # keys, Home, Delete and End; ps, uptime, run of a program the
        # initrd does not have (the reason named), dmesg (the kernel's own
        # line from that run appears a second time, the shell's answer
        # does not), top until a key, poweroff.
        'name': 'shell-keys',
        'cmdline': '',
        'module': False,
        'type': [(r'^aegis: up in \d+ cycles', b'upt\t\r'),
                 (r'^up \d+:\d\d:\d\d\.\d\d\d, ',
                  b'cat /sys/bus/trace_f\t\r'),
                 (r'^sh> cat /sys/bus/trace_filter $', b'cat /dev/zero\r'),
                 (r'^sh> cat /dev/zero$', b'\x03'),
                 (r'\^C$', b'echo abc\x1b[D\x1b[DX\x01\x1b[3~e\x05'
                  b' > /dev/console\r'),
                 (r'^aXbc$', b'p\ts\r'),
                 (r'^pid +name', b'run nosuch\r'),
                 (r'^sh: run: nosuch: ', b'dmesg\r'),
                 (r'^sh> dmesg$', b'top\r'),
                 (r'^top: every second; any key stops$', b'q'),
                 (r'^top: stopped$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^sh> uptime $',
            r'^up \d+:\d\d:\d\d\.\d{{3}}, \d+ services, \d+ threads, '
            r'\d+ processes$',
            r'^off$',
            r'^aXbc$',
            r'^poweroff  prof  ps  $',
            r'^sh> ps$',
            r'^services$',
            r'^shell +running +\d+ +\d+\.\d +\d+$',
            r'^id name +prio state',
            r'^sh: run: nosuch: not in the initrd \(run alone lists it\)$',
            r'^top: stopped$',
            r'^power: off, asked by shell$',
        ],
        'expect_count': [
            (r'^proc: nosuch: no initrd', 2),
            (r'^sh: run: nosuch: ', 1),
            (r'^service: started shell ', 2),
        ],
        'reject': [r'^panic: ', r'unknown command'],
        'verdict': 'pass',
    },
    {
        # The runner must see a failing test as a failure (exit status).
        'name': 'fail-detected',
        'cmdline': 'ktest=ktest.must_fail',
        'module': False,
        'expect': [
            BANNER,
            r'^ktest: FAIL ktest\.must_fail: ',
            r'^ktest: 0 passed, 1 failed',
        ],
        'reject': [],
        'verdict': 'fail',
    },
    {
        # A Rust panic in the HAL reaches the kernel's panic path with its
        # file and line, and ends the run with the panic status.
        'name': 'hal-panic',
        'cmdline': 'ktest=ktest.hal_panic',
        'module': False,
        'expect': [
            BANNER,
            r'^hal: panic: panicked at src/ffi\.rs:\d+:\d+:',
            r'^deliberate HAL panic 42',
        ],
        'reject': [r'^ktest: \d+ passed'],
        'verdict': 'panic',
    },
    {
        # Bad boot data: QEMU given the ELF instead of the Image enters
        # with x0 = 0 (no device tree). One clear line, then the machine
        # ends with the panic status; never a silent hang.
        'name': 'no-device-tree',
        'arch': 'aarch64',
        'kernel': 'elf',
        'cmdline': '',
        'module': False,
        'expect': [
            r'^panic: boot: bad device tree at 0: x0 holds no device-tree '
            r'address below 4 GiB',
        ],
        'reject': [BANNER],
        'verdict': 'panic',
    },
    {
        # The kernel's text and rodata are read-only in its own page
        # tables: a write to a constant faults and is reported.
        'name': 'rodata-write',
        'cmdline': 'ktest=vm.write_rodata',
        'module': False,
        'expect': [
            BANNER,
            r'^vm: kernel space: text r-x ',
            r'^ktest: vm\.write_rodata: writing to 0x',
            r'^trap: (page fault \(vector 14\)|synchronous exception from '
            r'EL1h: data abort)',
            r'^panic: trap: unexpected (page fault|synchronous exception)',
        ],
        'reject': [r'^ktest: \d+ passed', r'went through'],
        'verdict': 'panic',
    },
    {
        # A runaway recursion hits the guard page under the boot stack
        # and is reported as what it is.
        'name': 'stack-overflow',
        'cmdline': 'ktest=vm.stack_overflow',
        'module': False,
        'expect': [
            BANNER,
            r'^ktest: vm\.stack_overflow: recursing',
            r'^panic: trap: kernel stack overflow \((rsp|FAR) 0x[0-9a-f]+ in '
            r'the guard page\)',
        ],
        'reject': [r'^ktest: \d+ passed', r'recursion returned'],
        'verdict': 'panic',
    },
    {
        # A kernel thread's stack overflows into the unmapped guard below
        # it (the HAL's stack window): the machine stops and says so,
        # instead of the thread running into other memory.
        'name': 'thread-stack-overflow',
        'cmdline': 'ktest=sched.thread_stack_overflow',
        'module': False,
        'expect': [
            BANNER,
            r'^ktest: sched\.thread_stack_overflow: recursing',
            r'^panic: trap: kernel thread stack overflow \((rsp|FAR) '
            r'0x[0-9a-f]+ in the guard of stack slot \d+\)',
        ],
        'reject': [r'^ktest: \d+ passed', r'the recursion returned'],
        'verdict': 'panic',
    },
    {
        # A fault in a service's handler fails that service, not the
        # kernel: each kind the arch takes in kernel mode (test/kernel/
        # fault.c), reported, the service restarted, its callers and its
        # queued requests answered -ESHUTDOWN.
        'name': 'service-fault',
        'cmdline': 'ktest=fault',
        'module': False,
        # the tests run in the reverse of their order in the file
        'expect': [
            BANNER,
            r'^ktest: ok fault\.queued_requests_are_answered_not_run',
            r'^ktest: ok fault\.inline_caller_gets_eshutdown_and_goes_on',
            r'^ktest: fault: page fault, masked contained$',
            r'^ktest: fault: division by zero (contained|not taken in '
            r'kernel mode on aarch64)$',
            r'^ktest: fault: protection fault (contained|not taken in '
            r'kernel mode on aarch64)$',
            r'^ktest: fault: misaligned access (contained|not taken in '
            r'kernel mode on x86_64)$',
            r'^fault: service ktest-faulty failed: (invalid opcode|'
            r'undefined instruction) at pc ',
            r'^ktest: fault: undefined instruction contained$',
            r'^trap: (page fault \(vector 14\)|synchronous exception from '
            r'EL1h: data abort)',
            r'^fault: service ktest-faulty failed: (page fault|data abort) '
            r'at pc 0x[0-9a-f]+, address 0x700000000000, in its handler; '
            r'the supervisor restarts it$',
            r'^ktest: fault: page fault contained$',
            r'^fault: service ktest-fragile failed: (page fault|data abort) '
            r'at pc 0x[0-9a-f]+, address 0x700000000000, in its init; '
            r'the supervisor restarts it$',
            r'^service: ktest-fragile init failed: ENOTRECOVERABLE; retry '
            r'in \d+ ms$',
            r'^service: started ktest-fragile \(bus id \d+, generation 2\)$',
            r'^ktest: ok fault\.fault_in_init_fails_only_that_start$',
            r'^ktest: 9 passed, 0 failed',
        ],
        'reject': [r'^panic: ', r'^ktest: FAIL'],
        'verdict': 'pass',
    },
    {
        # A CPU exception is reported in one line, never a silent reset.
        'name': 'trap-reported',
        'cmdline': 'ktest=ktest.trap',
        'module': False,
        'expect': [
            BANNER,
            r'^trap: (page fault \(vector 14\)|synchronous exception from '
            r'EL1h: data abort)',
            r'^trap: (rax|x0 ) [0-9a-f]+ ',
            r'^trap: (r12|x28) [0-9a-f]+ ',
            r'^panic: trap: unexpected (page fault|synchronous exception)',
        ],
        'reject': [r'^ktest: \d+ passed'],
        'verdict': 'panic',
    },
    {
        # Four CPUs (QEMU -smp 4): each found in the firmware's tables (the
        # ACPI MADT on x86_64, the device tree on AArch64), started and
        # checked in; /sys/cpus lists them (docs/SMP.md). CPU 2 is pinged
        # from the shell: it takes an inter-processor interrupt and
        # answers the boot CPU with one (read half a second later: under
        # TCG a CPU's first interrupt can take milliseconds), counted in
        # /sys/cpus/ping and in both CPUs' ipis.
        'name': 'smp',
        'cmdline': '',
        'module': False,
        'smp': 4,
        'type': [(r'^aegis: up in \d+ cycles', b'echo 2 > /sys/cpus/ping\r'),
                 (r'echo 2 > /sys/cpus/ping$', b'cat /sys/cpus/ping\r', 0.5),
                 (r'^1$', b'cat /sys/cpus/list\r'),
                 (r'^3 ', b'cat /sys/cpus/online\r'),
                 # refused, and nothing sent: the CPU's own index, one
                 # no CPU has, not a number, a read-only file
                 (r'^4$', b'echo 0 > /sys/cpus/ping\r'),
                 (r'invalid argument', b'echo 7 > /sys/cpus/ping\r'),
                 (r'invalid argument', b'echo x2 > /sys/cpus/ping\r'),
                 (r'invalid argument',
                  b'echo 99999999999999999999 > /sys/cpus/ping\r'),
                 (r'invalid argument', b'echo 1 > /sys/cpus/list\r'),
                 (r'permission denied', b'cat /sys/cpus/ping\r'),
                 # a service that may run anywhere moves to CPU 2 and
                 # still answers; one bound to the boot CPU stays there
                 (r'^1$', b'svc place mm 2\r'),
                 (r'^svc: mm dispatched on cpu 2$', b'svc place console 1\r'),
                 (r'runs on the boot CPU only', b'svc place mm 9\r'),
                 (r'runs no dispatcher', b'svc list\r'),
                 # placed by hand: pinned; then the kernel's again
                 (r'^sysfs +running', b'svc place mm auto\r'),
                 # a boot-bound service, and none, are not the kernel's
                 # to place
                 (r'placed by the kernel', b'svc place console auto\r'),
                 (r'runs on the boot CPU only', b'svc place nope auto\r'),
                 (r'svc place: no such entry', b'svc list\r'),
                 (r'^sysfs +running', b'cat /sys/mm/total\r'),
                 # every CPU runs threads: the scheduler's view of each
                 # (read-only, as its steal count is)
                 (r'^\d+$', b'cat /sys/sched/cpus\r'),
                 (r'^3 +\S+ +\d+ +\d+ +\d+$',
                  b'echo 1 > /sys/sched/steals\r'),
                 # the balancer's period: a number, or refused
                 (r'permission denied',
                  b'echo 10x > /sys/balance/period_ms\r'),
                 (r'period_ms: invalid argument',
                  b'echo 99999999999999999999 > /sys/balance/period_ms\r'),
                 (r'echo 9+ > /sys/balance/period_ms$',
                  b'echo 1 > /sys/balance/moves\r'),
                 (r'moves: permission denied',
                  b'echo 300 > /sys/balance/period_ms\r'),
                 (r'echo 300 > /sys/balance/period_ms$',
                  b'cat /sys/balance/period_ms\r'),
                 (r'^300$', b'cat /sys/balance/load\r'),
                 (r'^3 +\d+$', b'cat /sys/balance/moves\r'),
                 (r'^\d+ rounds, \d+ moves$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^smp: 4 of 4 CPUs online \(from the (ACPI MADT|device tree)\)$',
            r'^1$',
            r'^sh: echo: /sys/cpus/list: permission denied$',
            r'^cpu hw_id +state +start_us +ticks +ipis +calls +tlb +note$',
            r'^0 +0 +online +- +- +1 +0 +0 +the boot CPU$',
            # each secondary counts its own timer's ticks
            r'^1 +[0-9a-f]+ +online +\d+ +[1-9]\d* +0 +0 +0 *$',
            r'^2 +[0-9a-f]+ +online +\d+ +[1-9]\d* +1 +0 +0 *$',
            r'^3 +[0-9a-f]+ +online +\d+ +[1-9]\d* +0 +0 +0 *$',
            r'^4$',
            r'^svc: mm dispatched on cpu 2$',
            r'^sh: svc place: console runs on the boot CPU only \(it is '
            r'not marked anycpu\)$',
            r'^sh: svc place: cpu 9 runs no dispatcher$',
            r'^mm +running +cpu 2 \(any, pinned\)$',
            r'^console +running +cpu 0$',
            r'^svc: mm placed by the kernel \(on cpu 2 now\)$',
            r'^sh: svc place: console runs on the boot CPU only \(it is '
            r'not marked anycpu\)$',
            r'^sh: svc place: no such entry$',
            r'^sh: echo: /sys/balance/moves: permission denied$',
            r'^mm +running +cpu 2 \(any\)$',
            r'^cpu running +ready switches preempts$',
            r'^0 +\S+ +\d+ +\d+ +\d+$',
            r'^1 +\S+ +\d+ +\d+ +\d+$',
            r'^sh: echo: /sys/sched/steals: permission denied$',
            r'^balance: period_ms: a number of ms, 0 to 60000 \(0: off\)$',
            r'^sh: echo: /sys/balance/period_ms: invalid argument$',
            r'^300$',
            r'^cpu +handlers%$',
            r'^0 +\d+$', r'^1 +\d+$', r'^2 +\d+$', r'^3 +\d+$',
            r'^\d+ rounds, \d+ moves$',
            r'^power: off, asked by shell$',
        ],
        'expect_count': [
            (r'^cpus: ping: the index of an online CPU other than 0$', 4),
            (r'^sh: echo: /sys/cpus/ping: invalid argument$', 4),
            # the refused writes sent nothing: still the one answer
            (r'^1$', 2),
        ],
        'reject': [r'^panic: ', r'^smp: cpu \d+ .*failed'],
        'verdict': 'pass',
    },
    {
        # place= at boot (docs/SMP.md, "Where services run"): mm goes to
        # CPU 2 and answers from there; every element that cannot be done
        # is said with why, and the rest go on.
        'name': 'smp-place',
        'cmdline': 'place=mm:2,console:1,nope:1,mm:9,x',
        'module': False,
        'smp': 4,
        'type': [(r'^aegis: up in \d+ cycles', b'svc list\r'),
                 (r'^sysfs +running', b'cat /sys/mm/total\r'),
                 (r'^\d+$', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^smp: 4 of 4 CPUs online',
            r'^service: mm runs on CPU 2 \(place=\)$',
            r'^service: place=: console is bound to the boot CPU \(not '
            r'marked anycpu\)$',
            r"^service: place=: no service 'nope'$",
            r'^service: place=: mm: CPU 9 does not run$',
            r"^service: place=: 'x' is not NAME:CPU$",
            r'^mm +running +cpu 2 \(any, pinned\)$',
            r'^console +running +cpu 0$',
            r'^\d+$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
    {
        # Every CPU busy at once for 1.5 s (test/kernel/smp_stress.c):
        # services on all four CPUs publish to each other, allocate and
        # call each other inline while the boot CPU spawns threads (TLB
        # shootdowns); then every invariant: nothing lost, doubled or
        # reordered, published = delivered + dropped, no page, message or
        # kmalloc object left behind.
        'name': 'smp-stress',
        'cmdline': 'ktest=smp.stress',
        'module': False,
        'smp': 4,
        'expect': [
            BANNER,
            r'^smp: 4 of 4 CPUs online',
            r'^ktest: smp: stress on 4 CPUs for 1500 ms: \d+ events '
            r'published, \d+ delivered, \d+ dropped, \d+ inline calls '
            r'\(\d+ refused -EDEADLK\), [1-9]\d* threads; bus locks: '
            r'[1-9]\d* own, \d+ whole; no page, message or object left '
            r'behind$',
            r'^ktest: 1 passed, 0 failed$',
        ],
        'reject': [r'^panic: ', r'^lockdep: ', r'^ktest: FAIL'],
        'verdict': 'pass',
    },
    {
        # The kernel's balancer (docs/SMP.md, "Where services run"): two
        # busy services on the boot CPU, one pinned there; the other is
        # moved to another CPU, which the console says, and nothing is
        # handed back (test/kernel/smp.c).
        'name': 'smp-balance',
        'cmdline': 'ktest=smp.the_balancer',
        'module': False,
        'smp': 4,
        'expect': [
            BANNER,
            r'^smp: 4 of 4 CPUs online',
            r'^balance: ktest-bal-moves moved from CPU 0 \(\d+% in '
            r'handlers\) to CPU [123] \(\d+%\)$',
            r'^ktest: smp: the balancer moved a busy service to CPU [123] '
            r'and left the pinned one on CPU 0$',
            r'^ktest: 1 passed, 0 failed$',
        ],
        'expect_count': [(r'^balance: ktest-bal-moves moved', 1)],
        'reject': [r'^panic: ', r'^lockdep: ', r'^ktest: FAIL',
                   r'^balance: ktest-bal-pinned'],
        'verdict': 'pass',
    },
    {
        # smp=2 on the command line of a four-CPU machine: two run, the
        # others are listed as off with the reason.
        'name': 'smp-limit',
        'cmdline': 'smp=2',
        'module': False,
        'smp': 4,
        'type': [(r'^aegis: up in \d+ cycles', b'cat /sys/cpus/list\r'),
                 (r'^3 ', b'poweroff\r')],
        'expect': [
            BANNER,
            r'^smp: 2 of 4 CPUs online \(from the (ACPI MADT|device tree)\)$',
            r'^1 +\w+ +online +\d+ +\d+ +0 +0 +0 *$',
            r'^2 +\w+ +off +- +- +0 +0 +0 +beyond the smp= boot option$',
            r'^3 +\w+ +off +- +- +0 +0 +0 +beyond the smp= boot option$',
            r'^power: off, asked by shell$',
        ],
        'reject': [r'^panic: '],
        'verdict': 'pass',
    },
]


def entry_of(config):
    """How the CPU must say it was entered (the EL2 drop on AArch64)."""
    if config[1] == 'x86_64':
        return '32-bit protected mode, now long mode'
    return 'EL2, dropped to EL1' if config[4] else 'EL1'


def intc_of(config):
    """The interrupt controller line the boot summary must show."""
    if config[1] != 'aarch64':
        # the platform tree linked into the x86_64 image
        return (r'^boot: interrupt controller intel,ioapic at 0xfec00000$')
    compat = 'arm,gic-v3' if config[3] == 3 else 'arm,cortex-a15-gic'
    return '^boot: interrupt controller %s at 0x' % compat.replace('.', '\\.')


def caps_of(config):
    """What the HAL must report detecting (at least) on a configuration."""
    if config[1] == 'x86_64':
        return r'^hal: caps apic( |$)'
    if config[3] == 3:
        return r'^hal: caps gic-sysregs gicv3 psci-smc$'
    return r'^hal: caps gicv2 psci-hvc$'


def irq_of(config):
    """The interrupt line of the boot log: the local and I/O APICs on
    x86_64 (the timer on vector and line 32), the GIC on AArch64 (timer
    INTID 27)."""
    if config[1] == 'x86_64':
        return (r'^hal: interrupts on: lapic\+ioapic, timer 100 Hz on line '
                r'32$')

    return (r'^hal: interrupts on: gicv%d, timer 100 Hz on line 27$'
            % config[3])


def module_name_of(config):
    """GRUB names modules by their module2 string; QEMU's PVH -initrd
    gives no name; on AArch64 the device tree's initrd is "initrd"."""
    if config[1] == 'aarch64':
        return 'initrd'
    return '' if config[2] == 'pvh' else MODULE


def firmware_of(config):
    """The firmware the boot summary must name for a configuration."""
    name = config[0]
    if name.endswith('bios'):
        return 'BIOS'
    if name.endswith('uefi'):
        return 'UEFI'
    return 'none'
