package lambdaruntime

import (
	"os"
	"syscall"
)

// sysProcAttr starts the function in its own process group, so Stop reaches anything it
// spawned, and has the kernel kill it should the test process die first, so no function
// outlives a crashed test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(p *os.Process) error { return syscall.Kill(-p.Pid, syscall.SIGKILL) }
