package maildir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bouncewatch/bouncewatch/ingest/internal/ingesttest"
	"github.com/bouncewatch/bouncewatch/internal/mailserver"
)

// A real mail client (Dovecot's IMAP server, for a user's mail program)
// takes the messages the MTA put in new/: it moves them to cur/ and
// renames them again when flags change. Each message is read once.
func TestDovecotMovesNewToCur(t *testing.T) {
	d := mailserver.StartDovecot(t, 14350)
	c, err := imapclient.DialTLS(d.IMAPSAddr, &imapclient.Options{TLSConfig: d.TLS})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil { // Dovecot makes the Maildir
		t.Fatal(err)
	}
	dir := filepath.Join(d.Dir, "mail", d.User)
	sink := &ingesttest.Sink{}
	w, _ := start(t, Options{Dir: dir, Sink: sink, Cursors: sink})
	for i := range 3 {
		name := deliver(t, dir, i, time.Now())
		os.Chown(filepath.Join(dir, "new", name), 65534, 65534) // the mail user's, as an MTA delivers
	}
	ingesttest.WaitFor(t, "the delivered messages", func() bool { return len(sink.Mails()) == 3 })

	// The client looks (Dovecot moves new/ to cur/) and marks them read
	// (renamed to ...:2,S).
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	if err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	ingesttest.WaitFor(t, "Dovecot to move the messages to cur/", func() bool {
		n, _ := os.ReadDir(filepath.Join(dir, "new"))
		cur, _ := filepath.Glob(filepath.Join(dir, "cur", "*:2,S"))
		return len(n) == 0 && len(cur) == 3
	})
	time.Sleep(500 * time.Millisecond) // rescans run: nothing more may come
	if n := sink.Calls(); n != 3 {
		t.Errorf("%d messages handed to the store, want 3: Dovecot's renames were read again", n)
	}
	if h := w.Health(); h.Items != 3 || h.LastError != "" {
		t.Errorf("health %+v", h)
	}
}
