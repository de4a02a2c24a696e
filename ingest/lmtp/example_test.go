package lmtp_test

import (
	"context"
	"log"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/lmtp"
)

// An LMTP server on loopback that takes mail for the bounce mailboxes
// only, into a store (here the in-memory one of the tests). Postfix
// delivers to it with, in main.cf, "local_transport =
// lmtp:inet:[127.0.0.1]:8024" (or a transport map entry for the bounce
// address).
func Example() {
	store := &ingest.Memory{}
	srv, err := lmtp.New(lmtp.Options{
		Addr:       "127.0.0.1:8024",
		Sink:       store,
		Recipients: func(rcpt string) bool { return strings.HasPrefix(rcpt, "shop@") },
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Run(ctx); err != nil {
		log.Print(err) // the port is taken
	}
}
