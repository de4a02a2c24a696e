package maildir_test

import (
	"context"
	"log"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/maildir"
)

// A Maildir watched into a store (here the in-memory one of the tests).
func Example() {
	store := &ingest.Memory{}
	w, err := maildir.New(maildir.Options{Dir: "/home/shop/Maildir", Sink: store, Cursors: store})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = w.Run(ctx) // returns when ctx is done; a missing Maildir shows in w.Health()
}
