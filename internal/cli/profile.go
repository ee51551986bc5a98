package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfile starts the CPU profile that --cpuprofile asks for.
func (a *App) startProfile() error {
	if a.memProfile != "" {
		// Fail now on a path that cannot be written, not after the command's work.
		f, err := os.Create(a.memProfile)
		if err != nil {
			return usageError(fmt.Errorf("--memprofile: %w", err))
		}
		f.Close()
	}
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

// stopProfile ends and writes the CPU profile, if one runs, and writes the heap profile that
// --memprofile asks for.
func (a *App) stopProfile() {
	if a.memProfile != "" {
		if err := writeHeapProfile(a.memProfile); err != nil {
			a.Logf("echotrace: --memprofile: %v", err)
		}
		a.memProfile = ""
	}
	if a.profile == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := a.profile.Close(); err != nil {
		a.Logf("echotrace: --cpuprofile: %v", err)
	}
	a.profile = nil
}

// writeHeapProfile writes the heap profile at the end of the command: `go tool pprof
// -sample_index=alloc_space` shows every allocation the command made, by call site (what a
// peak is made of), inuse_space what was still live at the end.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // the in-use figures as of now
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
