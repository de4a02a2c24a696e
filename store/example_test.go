package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
)

// A source hands a message to the store; handing it again (a restart, a
// second source with the same message) stores nothing more.
func Example() {
	dir, _ := os.MkdirTemp("", "bw-example-")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "bouncewatch.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	raw, _ := os.ReadFile("testdata/01-postfix-user-unknown.eml")
	for _, src := range []string{"maildir:/home/shop/Maildir", "imap:shop@mail.example.jp/INBOX"} {
		if err := st.PutMail(ctx, ingest.Mail{Source: src, Position: "1", Data: raw}); err != nil {
			fmt.Println(err)
		}
	}
	stats, _ := st.Stats(ctx)
	fmt.Println("messages:", stats.Messages, "bounced recipients:", stats.Bounces)
	sup, _ := st.Suppressions(ctx, "shop@example.jp")
	for _, s := range sup {
		fmt.Println(s.Recipient, s.Reason, s.Count)
	}
	// Output:
	// messages: 1 bounced recipients: 1
	// tanaka@example.com userunknown 1
}
