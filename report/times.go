package report

import (
	"fmt"

	"github.com/bouncewatch/bouncewatch/diagnose"
)

// logZone says which clock the send log's times were read by (issue 11
// §5), and warns when that is not the zone the scan was given.
func (p phrases) logZone(z *diagnose.LogZone, given string) (line, warning string) {
	if z == nil {
		return "", ""
	}
	days := ""
	if z.DaysOff != 0 {
		days = fmt.Sprintf(", %s days earlier", num(z.DaysOff))
		if p.ja {
			days = fmt.Sprintf("、日付を %s 日戻して", num(z.DaysOff))
		}
	}
	if p.ja {
		if z.ShiftSeconds == 0 {
			return fmt.Sprintf("送信ログの時刻はバウンスと一致しています（ログとバウンスの両方にある %s 件で確認）", num(z.Matched)), ""
		}
		return fmt.Sprintf("送信ログの時刻は UTC%s として%s読みました（ログとバウンスの両方にある %s 件のメッセージから推定）", z.ReadAs, days, num(z.Matched)),
			fmt.Sprintf("注意：指定されたタイムゾーン（%s）は送信ログの時刻と合いません。ログの時刻を UTC%s として補正しました", given, z.ReadAs)
	}
	if z.ShiftSeconds == 0 {
		return fmt.Sprintf("the send log's times agree with the bounces (checked on %s messages found in both)", num(z.Matched)), ""
	}
	return fmt.Sprintf("the send log's times were read as UTC%s%s, inferred from %s messages found in both the log and the bounces", z.ReadAs, days, num(z.Matched)),
		fmt.Sprintf("Note: the time zone given (%s) does not match the send log; its times were corrected to UTC%s", given, z.ReadAs)
}

// ignoredDates says how many bounces' own dates were ignored and how
// many events lay far from the rest (issue 11 §6); "" when none.
func (p phrases) ignoredDates(t diagnose.TimeStats) string {
	if t.ClaimedImplausible == 0 && t.Stray == 0 && t.StrayLog == 0 && t.LogUndated == 0 {
		return ""
	}
	if p.ja {
		return fmt.Sprintf("あり得ない日付：バウンス自身の日付を無視 %s 件、他から離れたバウンス %s 件・送信 %s 件、日付の不正なログ行 %s 件（集計から除外）",
			num(t.ClaimedImplausible), num(t.Stray), num(t.StrayLog), num(t.LogUndated))
	}
	return fmt.Sprintf("implausible dates: %s bounces' own dates ignored (placed at their arrival), %s bounces and %s sent messages far from the rest and %s log lines with impossible dates left out of the series",
		num(t.ClaimedImplausible), num(t.Stray), num(t.StrayLog), num(t.LogUndated))
}
