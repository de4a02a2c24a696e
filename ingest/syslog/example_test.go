package syslog_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/ingest/syslog"
)

// A message as rsyslog forwards it becomes the line Postfix's log file
// would hold.
func ExampleParse() {
	m := syslog.Parse([]byte("<22>1 2026-11-02T02:14:07+09:00 mail postfix/smtp 4242 - - 4Nq2Zx0abcz9sT: status=bounced"),
		time.Now(), "127.0.0.1:40000")
	fmt.Println(m.Format, m.Line)
	// Output: rfc5424 2026-11-02T02:14:07+09:00 mail postfix/smtp[4242]: 4Nq2Zx0abcz9sT: status=bounced
}

// A listener on loopback, UDP and TCP, into a store (here the in-memory
// one of the tests).
func Example() {
	store := &ingest.Memory{}
	l, err := syslog.New(syslog.Options{UDP: "127.0.0.1:5514", TCP: "127.0.0.1:5514", Sink: store})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.Run(ctx); err != nil {
		log.Print(err) // the port is taken
	}
}
