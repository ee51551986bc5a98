package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile starts the CPU profile that --cpuprofile asks for.
func (a *App) startProfile() error {
	if a.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(a.cpuProfile)
	if err != nil {
		return usageError(fmt.Errorf("--cpuprofile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	a.profile = f
	return nil
}

// stopProfile ends and writes the CPU profile, if one runs.
func (a *App) stopProfile() {
	if a.profile == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := a.profile.Close(); err != nil {
		a.Logf("echotrace: --cpuprofile: %v", err)
	}
	a.profile = nil
}
