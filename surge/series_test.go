package surge

import (
	"errors"
	"testing"
	"time"
)

func TestBucketTimeZones(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	berlin := mustLoad(t, "Europe/Berlin")
	kolkata := mustLoad(t, "Asia/Kolkata")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name      string
		loc       *time.Location
		from, to  string
		events    []string
		hours     int
		start     string // the local clock of the first hour
		wantIndex []int  // hour of each event
		hourOfDay []int  // local hour of day of each event's bucket
		weekday   []time.Weekday
	}{
		{
			name: "Tokyo: UTC afternoon is the next local day", loc: tokyo,
			from: "2025-03-02T14:00:00Z", to: "2025-03-02T17:00:00Z",
			events:    []string{"2025-03-02T14:59:59Z", "2025-03-02T15:00:00Z", "2025-03-02T16:30:00Z"},
			hours:     3,
			start:     "2025-03-02 23:00 JST",
			wantIndex: []int{0, 1, 2}, hourOfDay: []int{23, 0, 1},
			weekday: []time.Weekday{time.Sunday, time.Monday, time.Monday},
		},
		{
			name: "Berlin: spring forward, the local day has 23 hours", loc: berlin,
			from: "2025-03-29T23:00:00Z", to: "2025-03-30T22:00:00Z", // local midnight to midnight
			events:    []string{"2025-03-30T00:30:00Z", "2025-03-30T01:30:00Z", "2025-03-30T21:59:00Z"},
			hours:     23,
			start:     "2025-03-30 00:00 CET",
			wantIndex: []int{1, 2, 22}, hourOfDay: []int{1, 3, 23},
			weekday: []time.Weekday{time.Sunday, time.Sunday, time.Sunday},
		},
		{
			name: "Berlin: fall back, 02:00–03:00 comes twice", loc: berlin,
			from: "2025-10-25T22:00:00Z", to: "2025-10-26T23:00:00Z",
			events:    []string{"2025-10-26T00:30:00Z", "2025-10-26T01:30:00Z", "2025-10-26T22:30:00Z"},
			hours:     25,
			start:     "2025-10-26 00:00 CEST",
			wantIndex: []int{2, 3, 24}, hourOfDay: []int{2, 2, 23},
			weekday: []time.Weekday{time.Sunday, time.Sunday, time.Sunday},
		},
		{
			name: "Kolkata: local hours begin at :30 UTC", loc: kolkata,
			from: "2025-03-03T00:00:00Z", to: "2025-03-03T02:00:00Z",
			events:    []string{"2025-03-03T00:10:00Z", "2025-03-03T00:40:00Z"},
			hours:     3,
			start:     "2025-03-03 05:00 IST",
			wantIndex: []int{0, 1}, hourOfDay: []int{5, 6},
			weekday: []time.Weekday{time.Monday, time.Monday},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var times []time.Time
			for _, e := range tc.events {
				times = append(times, utc(e))
			}
			s, err := Bucket(times, tc.loc, utc(tc.from), utc(tc.to))
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != tc.hours {
				t.Fatalf("%d hours, want %d", s.Len(), tc.hours)
			}
			if got := s.Start.Format("2006-01-02 15:04 MST"); got != tc.start {
				t.Fatalf("start %s, want %s", got, tc.start)
			}
			if s.Total() != float64(len(times)) {
				t.Fatalf("total %v, want %d", s.Total(), len(times))
			}
			hod, dow := slots(s)
			for i, e := range times {
				idx, ok := s.Index(e)
				if !ok || idx != tc.wantIndex[i] || s.Counts[idx] == 0 {
					t.Errorf("event %s in hour %d (%v), want %d", tc.events[i], idx, ok, tc.wantIndex[i])
					continue
				}
				if int(hod[idx]) != tc.hourOfDay[i] || time.Weekday(dow[idx]) != tc.weekday[i] {
					t.Errorf("event %s: slot %d:00 %v, want %d:00 %v", tc.events[i], hod[idx], time.Weekday(dow[idx]), tc.hourOfDay[i], tc.weekday[i])
				}
				if h := s.Hour(idx).Hour(); h != tc.hourOfDay[i] {
					t.Errorf("hour %d starts at local %d:00, want %d", idx, h, tc.hourOfDay[i])
				}
			}
			// The Counter agrees with Bucket.
			c := Counter{Location: tc.loc, From: utc(tc.from), To: utc(tc.to)}
			for _, e := range times {
				c.Add(e)
			}
			cs := c.Series()
			if !cs.Start.Equal(s.Start) || len(cs.Counts) != len(s.Counts) {
				t.Fatalf("counter series %v+%d, bucket %v+%d", cs.Start, len(cs.Counts), s.Start, len(s.Counts))
			}
			for i := range cs.Counts {
				if cs.Counts[i] != s.Counts[i] {
					t.Fatalf("hour %d: counter %v, bucket %v", i, cs.Counts[i], s.Counts[i])
				}
			}
		})
	}
}

func TestBucketWindow(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 10, 20, 0, 0, time.UTC)
	times := []time.Time{t0, t0.Add(time.Hour), t0.Add(-time.Hour), t0.Add(5 * time.Hour)}
	s, err := Bucket(times, nil, t0, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 || s.Total() != 2 || !s.Start.Equal(t0.Truncate(time.Hour)) {
		t.Fatalf("got %v %v, want 3 hours from 10:00 holding the 2 events inside", s.Start, s.Counts)
	}
	// Zero bounds: the span of the events.
	s, err = Bucket(times, nil, time.Time{}, time.Time{})
	if err != nil || s.Len() != 7 || s.Total() != 4 {
		t.Fatalf("open window: %v %v %v", err, s.Start, s.Counts)
	}
	if _, err := Bucket(times, nil, t0, t0.Add(-time.Hour)); !errors.Is(err, ErrSpan) {
		t.Fatalf("reversed window: %v", err)
	}
	if _, err := Bucket(times, nil, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), t0); !errors.Is(err, ErrSpan) {
		t.Fatalf("55-year window: %v", err)
	}
}

// A bogus date far away must not make the Counter allocate decades of
// hours; the events cut off are reported.
func TestCounterBogusDate(t *testing.T) {
	var c Counter
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 48; i++ {
		c.Add(t0.Add(time.Duration(i) * time.Hour))
	}
	c.Add(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	c.AddN(t0, -3) // refused
	s := c.Series()
	if s.Len() > MaxHours {
		t.Fatalf("%d hours", s.Len())
	}
	if s.Total() != 48 || c.Outside() != 1 {
		t.Fatalf("total %v outside %v, want 48 and 1", s.Total(), c.Outside())
	}
	if !s.End().Equal(t0.Add(48 * time.Hour)) {
		t.Fatalf("series ends %v", s.End())
	}
}

func TestCounterWindow(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	c := Counter{From: t0, To: t0.Add(24 * time.Hour)}
	if !c.AddN(t0.Add(90*time.Minute), 5) || c.Add(t0.Add(-time.Minute)) || c.Add(t0.Add(24*time.Hour)) {
		t.Fatal("window not applied")
	}
	s := c.Series()
	if s.Len() != 24 || s.Counts[1] != 5 || c.Outside() != 2 {
		t.Fatalf("len %d counts[1] %v outside %v", s.Len(), s.Counts[1], c.Outside())
	}
	var empty Counter
	if empty.Series().Len() != 0 || empty.Outside() != 0 {
		t.Fatal("empty counter")
	}
}
