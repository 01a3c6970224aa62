package holidays

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(layout, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return d
}

// TestYears compares whole years with the official calendars (월력요항 and
// the designations made since): every holiday date, in order.
func TestYears(t *testing.T) {
	tests := []struct {
		year  int
		dates []string
	}{
		{2024, []string{
			"2024-01-01", "2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12",
			"2024-03-01", "2024-04-10", "2024-05-05", "2024-05-06", "2024-05-15",
			"2024-06-06", "2024-08-15", "2024-09-16", "2024-09-17", "2024-09-18",
			"2024-10-01", "2024-10-03", "2024-10-09", "2024-12-25",
		}},
		{2025, []string{
			"2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30",
			"2025-03-01", "2025-03-03", "2025-05-05", "2025-05-06", "2025-06-03",
			"2025-06-06", "2025-08-15", "2025-10-03", "2025-10-05", "2025-10-06",
			"2025-10-07", "2025-10-08", "2025-10-09", "2025-12-25",
		}},
		{2026, []string{
			"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-03-01",
			"2026-03-02", "2026-05-05", "2026-05-24", "2026-05-25", "2026-06-03",
			"2026-06-06", "2026-07-17", "2026-08-15", "2026-08-17", "2026-09-24",
			"2026-09-25", "2026-09-26", "2026-10-03", "2026-10-05", "2026-10-09",
			"2026-12-25",
		}},
		{2027, []string{
			"2027-01-01", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
			"2027-03-01", "2027-05-05", "2027-05-13", "2027-06-06", "2027-07-17",
			"2027-07-19", "2027-08-15", "2027-08-16", "2027-09-14", "2027-09-15",
			"2027-09-16", "2027-10-03", "2027-10-04", "2027-10-09", "2027-10-11",
			"2027-12-25", "2027-12-27",
		}},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.year), func(t *testing.T) {
			got := In(tt.year)
			var dates []string
			for _, h := range got {
				dates = append(dates, h.Date)
			}
			if len(dates) != len(tt.dates) {
				t.Errorf("In(%d) has %d holidays, want %d", tt.year, len(dates), len(tt.dates))
			}
			if !slices.Equal(dates, tt.dates) {
				t.Errorf("In(%d) dates\n got %v\nwant %v", tt.year, dates, tt.dates)
			}
		})
	}
}

func TestSubstitutes(t *testing.T) {
	tests := []struct {
		date string
		of   string // the holiday the substitute stands in for, in its name
	}{
		{"2015-09-29", "추석"},
		{"2016-02-10", "설날"},
		{"2017-01-30", "설날"},
		{"2017-10-06", "추석"}, // 추석 전날 on 개천절
		{"2018-05-07", "어린이날"},
		{"2018-09-26", "추석"},
		{"2019-05-06", "어린이날"},
		{"2020-01-27", "설날"},
		{"2021-08-16", "광복절"},
		{"2021-10-04", "개천절"},
		{"2021-10-11", "한글날"},
		{"2022-09-12", "추석"},
		{"2022-10-10", "한글날"},
		{"2023-01-24", "설날"},
		{"2023-05-29", "부처님오신날"},
		{"2024-02-12", "설날"},
		{"2024-05-06", "어린이날"},
		{"2025-03-03", "삼일절"},
		{"2025-05-06", "어린이날"}, // 어린이날 and 부처님오신날 on one day
		{"2025-10-08", "추석"},
		{"2026-03-02", "삼일절"},
		{"2026-05-25", "부처님오신날"},
		{"2026-08-17", "광복절"},
		{"2026-10-05", "개천절"},
		{"2027-02-09", "설날"},
		{"2027-07-19", "제헌절"},
		{"2027-08-16", "광복절"},
		{"2027-10-04", "개천절"},
		{"2027-10-11", "한글날"},
		{"2027-12-27", "성탄절"},
		{"2028-10-05", "추석"}, // 추석 on 개천절
		{"2029-05-07", "어린이날"},
		{"2029-05-21", "부처님오신날"},
		{"2029-09-24", "추석"},
		{"2030-02-05", "설날"},
		{"2030-05-06", "어린이날"},
	}
	want := map[string]bool{}
	for _, tt := range tests {
		want[tt.date] = true
		t.Run(tt.date, func(t *testing.T) {
			h, ok := Lookup(date(t, tt.date))
			if !ok {
				t.Fatalf("Lookup(%s): not a holiday", tt.date)
			}
			if !h.Substitute || !strings.Contains(h.Name, tt.of) {
				t.Errorf("Lookup(%s) = %+v, want a substitute for %s", tt.date, h, tt.of)
			}
			if d := date(t, tt.date).Weekday(); d == time.Saturday || d == time.Sunday {
				t.Errorf("substitute %s falls on %s", tt.date, d)
			}
		})
	}
	for _, h := range table {
		if h.Substitute && !want[h.Date] {
			t.Errorf("unexpected substitute %+v", h)
		}
	}
}

// TestNoSubstitute lists days that fell on weekends before the rule covered
// them, or that never take substitutes.
func TestNoSubstitute(t *testing.T) {
	for _, d := range []string{
		"2018-02-19", // 설날 다음날 2018-02-17 was a Saturday
		"2020-10-05", // 개천절 2020-10-03 was a Saturday, before 2021
		"2021-12-27", // 성탄절 2021 was a Saturday, before 2023
		"2022-05-09", // 부처님오신날 2022 was a Sunday, before 2023
		"2023-01-02", // 신정 never
		"2026-06-08", // 현충일 never
		"2026-09-28", // 추석 다음날 on a Saturday
	} {
		if h, ok := Lookup(date(t, d)); ok {
			t.Errorf("Lookup(%s) = %+v, want no holiday", d, h)
		}
	}
}

func TestLunar(t *testing.T) {
	// 설날, 부처님오신날 and 추석 of each year (음력 1/1, 4/8, 8/15).
	tests := []struct {
		year                     int
		seollal, buddha, chuseok string
	}{
		{2015, "02-19", "05-25", "09-27"},
		{2016, "02-08", "05-14", "09-15"},
		{2017, "01-28", "05-03", "10-04"},
		{2018, "02-16", "05-22", "09-24"},
		{2019, "02-05", "05-12", "09-13"},
		{2020, "01-25", "04-30", "10-01"},
		{2021, "02-12", "05-19", "09-21"},
		{2022, "02-01", "05-08", "09-10"},
		{2023, "01-22", "05-27", "09-29"},
		{2024, "02-10", "05-15", "09-17"},
		{2025, "01-29", "05-05", "10-06"},
		{2026, "02-17", "05-24", "09-25"},
		{2027, "02-07", "05-13", "09-15"},
		{2028, "01-27", "05-02", "10-03"},
		{2029, "02-13", "05-20", "09-22"},
		{2030, "02-03", "05-09", "09-12"},
	}
	if first, last := Range(); len(tests) != last-first+1 {
		t.Fatalf("lunar table has %d years, Range is %d–%d", len(tests), first, last)
	}
	for _, tt := range tests {
		y := strconv.Itoa(tt.year)
		for _, c := range []struct{ md, name string }{
			{tt.seollal, "설날"}, {tt.buddha, "부처님오신날"}, {tt.chuseok, "추석"},
		} {
			d := date(t, y+"-"+c.md)
			h, ok := Lookup(d)
			if !ok || !slices.Contains(strings.Split(h.Name, ", "), c.name) {
				t.Errorf("Lookup(%s) = %+v, %v; want %s", d.Format(layout), h, ok, c.name)
			}
			if c.name == "부처님오신날" {
				continue
			}
			for _, off := range []int{-1, 1} {
				if !IsHoliday(d.AddDate(0, 0, off)) {
					t.Errorf("%s%+d is not a holiday", d.Format(layout), off)
				}
			}
		}
	}
}

// TestSubstituteRules derives every substitute from the non-substitute rows
// with the rules described in the package comment and compares with the
// table, so that a hand edit of one cannot drift from the other.
func TestSubstituteRules(t *testing.T) {
	rule2021 := date(t, "2021-08-04")
	rule2023 := date(t, "2023-05-04")
	first, last := Range()
	for year := first; year <= last; year++ {
		taken := map[string]bool{}
		var base []Holiday
		var want []string
		for _, h := range In(year) {
			if h.Substitute {
				want = append(want, h.Date)
			} else {
				taken[h.Date] = true
				base = append(base, h)
			}
		}
		var got []string
		for _, h := range base {
			d := date(t, h.Date)
			names := strings.Split(h.Name, ", ")
			wd := d.Weekday()
			weekend := wd == time.Saturday || wd == time.Sunday
			overlap := len(names) > 1
			anchor, trigger := d, false
			for _, n := range names {
				switch {
				case strings.HasPrefix(n, "설날") || strings.HasPrefix(n, "추석"):
					if wd == time.Sunday || overlap {
						trigger = true
						// The substitute follows the whole three-day period.
						for isFestival(anchor.AddDate(0, 0, 1)) {
							anchor = anchor.AddDate(0, 0, 1)
						}
					}
				case n == "어린이날":
					trigger = trigger || weekend || overlap
				case n == "삼일절" || n == "광복절" || n == "개천절" || n == "한글날" || n == "제헌절":
					trigger = trigger || (!d.Before(rule2021) && (weekend || overlap))
				case n == "부처님오신날" || n == "성탄절":
					trigger = trigger || (!d.Before(rule2023) && (weekend || overlap))
				}
			}
			if !trigger {
				continue
			}
			s := anchor.AddDate(0, 0, 1)
			for taken[s.Format(layout)] || slices.Contains(got, s.Format(layout)) ||
				s.Weekday() == time.Saturday || s.Weekday() == time.Sunday {
				s = s.AddDate(0, 0, 1)
			}
			got = append(got, s.Format(layout))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%d substitutes: rules give %v, table has %v", year, got, want)
		}
	}
}

func isFestival(d time.Time) bool {
	h, ok := Lookup(d)
	return ok && !h.Substitute && (strings.Contains(h.Name, "설날") || strings.Contains(h.Name, "추석"))
}

func TestTable(t *testing.T) {
	first, last := Range()
	prev := ""
	for _, h := range table {
		d, err := time.Parse(layout, h.Date)
		if err != nil {
			t.Errorf("row %+v: %v", h, err)
			continue
		}
		if d.Format(layout) != h.Date {
			t.Errorf("row %+v: date not canonical", h)
		}
		if h.Date <= prev {
			t.Errorf("row %s after %s: table must be sorted without duplicates", h.Date, prev)
		}
		prev = h.Date
		if d.Year() < first || d.Year() > last {
			t.Errorf("row %s outside Range %d–%d", h.Date, first, last)
		}
		if h.Name == "" || h.NameEN == "" {
			t.Errorf("row %s: empty name", h.Date)
		}
	}
	for y := first; y <= last; y++ {
		hs := In(y)
		// Fifteen fixed and lunar days at least (sixteen from 2026),
		// fewer when two fall on one date.
		if len(hs) < 15 {
			t.Errorf("In(%d) has %d holidays, want at least 15", y, len(hs))
		}
		for _, h := range hs {
			if !strings.HasPrefix(h.Date, strconv.Itoa(y)) {
				t.Errorf("In(%d) returned %s", y, h.Date)
			}
		}
	}
	if In(first-1) != nil || In(last+1) != nil {
		t.Error("In outside Range returned holidays")
	}
	// In returns a copy.
	hs := In(2025)
	hs[0].Name = "changed"
	if h, _ := Lookup(date(t, "2025-01-01")); h.Name != "신정" {
		t.Errorf("In shares the table: %+v", h)
	}
}

func TestLookupCivilDate(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2025, 12, 25, 0, 0, 0, 0, seoul), true},
		{time.Date(2025, 12, 25, 23, 59, 0, 0, seoul), true},
		{time.Date(2025, 12, 25, 12, 0, 0, 0, time.UTC), true}, // Y/M/D as given
		{time.Date(2025, 12, 26, 0, 0, 0, 0, seoul), false},
		{time.Date(2025, 12, 27, 0, 0, 0, 0, seoul), false}, // a Saturday, not a holiday
		{time.Date(2014, 1, 1, 0, 0, 0, 0, seoul), false},   // outside Range
		{time.Date(2031, 1, 1, 0, 0, 0, 0, seoul), false},
	}
	for _, tt := range tests {
		if got := IsHoliday(tt.at); got != tt.want {
			t.Errorf("IsHoliday(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	h, ok := Lookup(time.Date(2025, 5, 5, 9, 0, 0, 0, seoul))
	if !ok || h.Name != "어린이날, 부처님오신날" || h.NameEN == "" {
		t.Errorf("Lookup(2025-05-05) = %+v, %v", h, ok)
	}
}
