//go:build unix

package source

import (
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// openFile opens p for reading and tells what fstat(2) says of it. A
// regular file is read through its bare descriptor: os.Open on Linux
// also tries to register every file with the runtime's poller (fcntl to
// set and clear O_NONBLOCK, an epoll_ctl that fails for regular files) and
// sets a finalizer, which made the system calls of opening a file more
// than half of what reading a small message costs (BenchmarkDecodeCLI:
// ten calls per message where open, fstat, two reads and close do).
// Anything else (a named pipe, a device) goes through os.File.
func openFile(p string) (io.ReadCloser, fileInfo, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fileInfo{}, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		f := os.NewFile(uintptr(fd), p)
		fi := fileInfo{size: -1}
		if s, err := f.Stat(); err == nil {
			fi.modTime = s.ModTime()
		}
		return f, fi, nil
	}
	return rawFile{fd: fd, name: p}, fileInfo{
		size:    st.Size,
		modTime: time.Unix(st.Mtim.Unix()),
	}, nil
}

// rawFile reads a regular file's descriptor with read(2).
type rawFile struct {
	fd   int
	name string
}

func (f rawFile) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f rawFile) Close() error {
	return syscall.Close(f.fd)
}
