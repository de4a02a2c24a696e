package diagnose

import "strings"

// volumePhrases are what our own server or provider says when it refuses
// an account for the volume it sends, or for the spam it sends: a hijack
// seen from the inside. Lower case.
var volumePhrases = []string{
	// cPanel/WHM and other hosting panels (Exim's per-domain limits).
	"exceeded the max emails per hour",
	"max emails per hour",
	"maximum emails per hour",
	"has exceeded the maximum number of",
	// Gmail / Google Workspace: 550 5.4.5 Daily user sending limit exceeded.
	"daily user sending limit exceeded",
	"daily sending quota exceeded",
	"sending limit exceeded",
	"sending quota exceeded",
	"message rate limit exceeded",
	"outbound spam",
	"account has been suspended for sending spam",
	"account is sending spam",
	// Microsoft 365: 5.1.8 Access denied, bad outbound sender; 5.7.501
	// Access denied, spam abuse detected; 5.7.502 banned sender.
	"bad outbound sender",
	"spam abuse detected",
	"banned sender",
	"sender is restricted from sending",
	"sender is sending too much",
}

// volumeRefusal reports whether a bounce record is our own server or
// provider refusing the account for its volume or for spam: Microsoft
// 365's 5.1.8 and 5.7.501 to 5.7.503 with their texts, or the phrases of
// hosting panels and Gmail (see volumePhrases).
func volumeRefusal(status, diag string) bool {
	d := strings.ToLower(diag)
	for _, p := range volumePhrases {
		if strings.Contains(d, p) {
			return true
		}
	}
	switch status {
	case "5.7.501", "5.7.502", "5.7.503":
		return strings.Contains(d, "access denied")
	}
	return false
}

// ratePhrases are the refusals of volumePhrases that speak of a sending
// limit only, not of spam: a legitimate newsletter sent faster than the
// provider allows meets them too.
var ratePhrases = []string{
	"max emails per hour",
	"maximum emails per hour",
	"has exceeded the maximum number of",
	"sending limit exceeded",
	"sending quota exceeded",
	"message rate limit exceeded",
	"sender is sending too much",
}

// rateLimitOnly reports whether a volume refusal (see volumeRefusal)
// names a sending limit and no spam.
func rateLimitOnly(diag string) bool {
	d := strings.ToLower(diag)
	if strings.Contains(d, "spam") || strings.Contains(d, "abuse") || strings.Contains(d, "banned") || strings.Contains(d, "restricted") || strings.Contains(d, "bad outbound") {
		return false
	}
	for _, p := range ratePhrases {
		if strings.Contains(d, p) {
			return true
		}
	}
	return false
}
