//go:build unix

package amplify

import (
	"syscall"
	"time"
)

// cpuSeconds is the user + system CPU time of this process (DuckDB's threads included).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
