package logtail_test

import (
	"context"
	"log"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/logtail"
)

// Postfix's log followed into a store (here the in-memory one of the
// tests); the lines are parsed later by package sendlog.
func Example() {
	store := &ingest.Memory{}
	tail, err := logtail.New(logtail.Options{Path: "/var/log/mail.log", Sink: store, Cursors: store})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = tail.Run(ctx) // returns when ctx is done; a missing file shows in tail.Health()
}
