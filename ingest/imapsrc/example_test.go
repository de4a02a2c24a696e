package imapsrc_test

import (
	"context"
	"log"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/imapsrc"
)

// An account's INBOX read live over implicit TLS, the password from the
// environment, each stored bounce then moved to the Bounces folder.
func Example() {
	o, err := imapsrc.ParseURL("imaps://shop@mail.example.jp/INBOX")
	if err != nil {
		log.Fatal(err)
	}
	store := &ingest.Memory{}
	o.PasswordEnv = "BOUNCEWATCH_IMAP_PASSWORD"
	o.MoveTo = "Bounces"
	o.Sink, o.Cursors = store, store
	src, err := imapsrc.New(o)
	if err != nil {
		log.Print(err) // no password in the environment
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = src.Run(ctx) // reconnects with backoff until ctx is done; see src.Health()
}
