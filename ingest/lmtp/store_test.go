package lmtp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/ingest/logtail"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
	"github.com/bouncewatch/bouncewatch/store"
)

// The whole path with the real store: Postfix bounces mail refused by the
// "remote" server and delivers the bounces over LMTP into the SQLite
// store, while its log is followed into the same store. The store counts
// the bounces decoded and the log lines.
func TestPostfixIntoSQLiteStore(t *testing.T) {
	mailserver.Require(t, "postfix")
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pf := withPostfix(t, st, func(lmtp string, o *mailserver.PostfixOptions) { o.LocalTransport = lmtp })
	tail, err := logtail.New(logtail.Options{Path: pf.Log, Sink: st, Cursors: st, Poll: 20 * time.Millisecond, Logger: ingesttest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); tail.Run(tctx) }()
	defer func() { cancel(); wg.Wait() }()

	const n = 4
	for i := range n {
		pf.Send(t, "shop@example.jp", []string{fmt.Sprintf("nobody%d@remote.test", i)},
			fmt.Sprintf("From: shop@example.jp\nTo: nobody%d@remote.test\nSubject: Sale %d\nMessage-Id: <sale%d@example.jp>\n\nbuy now\n", i, i, i))
	}
	stats := func() store.Stats {
		s, err := st.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ingesttest.WaitWithin(t, "the bounces in the store", 60*time.Second, func() bool { return stats().BounceMails == n })
	ingesttest.WaitWithin(t, "Postfix's last deliveries", 30*time.Second, func() bool { return pf.LogHas("to=<shop@example.jp>", "status=sent (250") })
	ingesttest.WaitWithin(t, "every line of Postfix's log in the store", 30*time.Second, func() bool {
		b, _ := os.ReadFile(pf.Log)
		return stats().LogLines == int64(strings.Count(string(b), "\n"))
	})
	s := stats()
	if s.Messages != n || s.Bounces != n || s.Undecodable != 0 {
		t.Errorf("store stats %+v, want %d bounce messages and recipients", s, n)
	}
}
