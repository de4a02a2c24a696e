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
	return OrderedSized(ctx, n, 0, nil, produce, work, emit)
}

// OrderedSized is Ordered with a bound on the bytes in flight as well as on
// their number: an item counts size(item) bytes from the moment yield
// accepts it until its result was emitted, and yield blocks while accepting
// the item would take the bytes in flight over budget — unless nothing is
// in flight, so that an item larger than the budget still goes, alone.
// budget <= 0 or a nil size means no bound on bytes.
//
// Memory then grows with the budget, not with the number of workers times
// the largest item (issue 7: twelve messages of 61 MB took 1.6 GB on two
// workers, 4.25 GB on eight, when only their number was bounded).
func OrderedSized[T, R any](ctx context.Context, n int, budget int64, size func(T) int64, produce func(yield func(T) error) error, work func(T) R, emit func(R) error) error {
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
	type slot struct {
		res  chan R
		size int64
	}
	jobs := make(chan job, 2*n+1)
	pending := make(chan slot, 2*n) // results to emit, in order
	// Result channels emptied by the emitter, for yield to reuse: a new
	// channel per item was an allocation per message of decode.
	spare := make(chan chan R, 2*n+2)

	// Bytes in flight, guarded by mu; cond wakes a yield waiting for room.
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		inflight int64
	)
	bounded := budget > 0 && size != nil
	if bounded {
		stop := context.AfterFunc(ctx, func() {
			mu.Lock()
			cond.Broadcast()
			mu.Unlock()
		})
		defer stop()
	}
	release := func(sz int64) {
		if !bounded {
			return
		}
		mu.Lock()
		inflight -= sz
		cond.Broadcast()
		mu.Unlock()
	}
	acquire := func(sz int64) error {
		if !bounded {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		for inflight > 0 && inflight+sz > budget {
			if err := ctx.Err(); err != nil {
				return err
			}
			cond.Wait()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		inflight += sz
		return nil
	}

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
		for sl := range pending {
			var r R
			select {
			case r = <-sl.res:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil {
				return
			}
			select {
			case spare <- sl.res: // empty again: its one value was received
			default:
			}
			if err := emit(r); err != nil {
				emitErr = err
				cancel()
				return
			}
			release(sl.size)
		}
	}()

	yield := func(item T) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var sz int64
		if bounded {
			sz = max(size(item), 0)
		}
		if err := acquire(sz); err != nil {
			return err
		}
		var res chan R
		select {
		case res = <-spare:
		default:
			res = make(chan R, 1)
		}
		select {
		case pending <- slot{res, sz}:
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
