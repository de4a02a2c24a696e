//go:build linux

package maildir

import (
	"syscall"
	"time"
)

// ctime is when path's inode last changed (a rename into new/ sets it).
func ctime(path string) (time.Time, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)), nil
}
