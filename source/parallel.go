package source

import (
	"context"
	"runtime"
	"sync"
)

// Ordered runs work on every item produced by produce, using n goroutines,
// and calls emit with the results in the original order. Memory is bounded:
// at most about 2*n items are in flight (yielded but not yet emitted).
//
// produce is called once, in the calling goroutine; it must call yield
// for each item, from that goroutine only. yield blocks while the window is
// full; once Ordered is stopping it returns a non-nil error, which produce
// should return. emit is called from a single goroutine other than the
// caller's, one result at a time. n < 1 means runtime.GOMAXPROCS(0).
//
// An error from emit or produce, or ctx being done, stops everything: items
// not yet started are not worked on, and Ordered returns, after all its
// goroutines have finished, the first of: the error of emit, ctx.Err(), the
// error of produce. Otherwise it returns nil once every result was emitted.
func Ordered[T, R any](ctx context.Context, n int, produce func(yield func(T) error) error, work func(T) R, emit func(R) error) error {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		item T
		res  chan R
	}
	jobs := make(chan job, 2*n+1)
	pending := make(chan chan R, 2*n) // results to emit, in order

	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // stopping: drain without working
				}
				j.res <- work(j.item)
			}
		})
	}

	var emitErr error
	emitted := make(chan struct{})
	go func() {
		defer close(emitted)
		for res := range pending {
			var r R
			select {
			case r = <-res:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil {
				return
			}
			if err := emit(r); err != nil {
				emitErr = err
				cancel()
				return
			}
		}
	}()

	yield := func(item T) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := make(chan R, 1)
		select {
		case pending <- res:
		case <-ctx.Done():
			return ctx.Err()
		}
		// jobs has room: it never holds more than the items in pending
		// plus the one the emitter waits for.
		jobs <- job{item, res}
		return nil
	}
	prodErr := produce(yield)
	if prodErr != nil {
		cancel()
	}
	close(pending)
	close(jobs)
	<-emitted
	wg.Wait()

	switch {
	case emitErr != nil:
		return emitErr
	case parent.Err() != nil:
		return parent.Err()
	}
	return prodErr
}
