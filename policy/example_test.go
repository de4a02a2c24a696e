package policy_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/policy"
	"github.com/bouncewatch/bouncewatch/store"
)

// holds is a Backend with one account held by an admin.
type holds struct{ policy.Backend }

func (holds) Holds(context.Context) (map[string]store.Hold, error) {
	return map[string]store.Hold{"shop@example.jp": {Account: "shop@example.jp", Block: &store.Block{Reason: "phished"}}}, nil
}

func (holds) NoteDeferrals(context.Context, string, int64, time.Time) error { return nil }

func ExampleService_Decide() {
	s := policy.New(holds{}, policy.Config{})
	s.Refresh(context.Background())
	for _, user := range []string{"shop@example.jp", "info@example.jp"} {
		r := s.Decide(policy.Request{"request": "smtpd_access_policy", "protocol_state": "RCPT",
			"sasl_username": user, "sender": user, "recipient": "a@example.com", "client_address": "192.0.2.1"})
		fmt.Println(user, r.Action)
	}
	// Output:
	// shop@example.jp DEFER_IF_PERMIT
	// info@example.jp DUNNO
}
