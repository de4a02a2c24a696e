//go:build !unix

package cli

import "time"

// cpuTime is not measured here; the benchmarks then report no CPU rate.
func cpuTime() time.Duration { return 0 }
