// Package holidays is a table of Korean public holidays (관공서 공휴일) from
// 2015 to 2030 inclusive: the fixed national days, the lunar holidays (설날
// and 추석 with the days either side, 부처님오신날), the substitute holidays
// (대체공휴일) under the rules in force each year, election days and the
// temporary holidays (임시공휴일) the government designated.
//
// Dates are civil dates in Asia/Seoul. The lunar dates follow the Korean
// lunisolar calendar, which is reckoned at UTC+9 and so differs from the
// Chinese one in some years (설날 2027-02-07 and 2028-01-27); they were
// cross-checked against an astronomical computation of new moons and solar
// terms for UTC+9.
//
// Substitute holidays follow the rule in force on the day:
//
//   - from 2014: a 설날 or 추석 day that falls on a Sunday or on another
//     holiday gives the first non-holiday weekday after the three-day
//     period; 어린이날 on a Saturday, Sunday or another holiday gives the next
//     non-holiday weekday;
//   - from 2021-08-04: the same for 삼일절, 광복절, 개천절 and 한글날 on a
//     Saturday, Sunday or another holiday;
//   - from 2023-05-04: also 부처님오신날 and 성탄절;
//   - from 2026: 제헌절 is a public holiday again (공휴일에 관한 법률,
//     amended 2026) and, as a national day, takes a substitute the same way.
//
// One date that carries two holidays yields one substitute (2025-05-05,
// 어린이날 and 부처님오신날, gave 2025-05-06). 신정 and 현충일 never take
// substitutes.
//
// Election days after 2026 are the dates fixed by 공직선거법 §34 for the
// ordinary elections (2028-04-12, 2030-03-27, 2030-06-12); temporary holidays
// are only known once designated, so years after the current one may gain
// days. 노동절 (May 1) is a paid day off for employees but not a public
// holiday in this table.
package holidays

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Holiday is one public holiday. A date that carries two holidays (어린이날
// and 부처님오신날 on 2025-05-05) is one Holiday whose names are joined, with
// ", " in Name and "; " in NameEN.
type Holiday struct {
	Date       string // YYYY-MM-DD, civil date in Asia/Seoul
	Name       string // Korean name, e.g. 설날
	NameEN     string // English name, e.g. Seollal (Lunar New Year's Day)
	Substitute bool   // a substitute holiday (대체공휴일)
}

const (
	firstYear = 2015
	lastYear  = 2030
	layout    = "2006-01-02"
)

// Range returns the first and last years the table covers, inclusive. Every
// year in between has its full list of holidays.
func Range() (first, last int) { return firstYear, lastYear }

// Lookup returns the holiday on the civil date of date (its year, month and
// day as given; the time of day and location are ignored), and whether there
// is one. Dates outside Range are never holidays.
func Lookup(date time.Time) (Holiday, bool) {
	key := date.Format(layout)
	i, ok := slices.BinarySearchFunc(table, key, func(h Holiday, k string) int {
		return strings.Compare(h.Date, k)
	})
	if !ok {
		return Holiday{}, false
	}
	return table[i], true
}

// IsHoliday reports whether the civil date of date is a public holiday.
// Weekends are not holidays unless a holiday falls on them.
func IsHoliday(date time.Time) bool {
	_, ok := Lookup(date)
	return ok
}

// In returns the holidays of year in date order, as a new slice; it is empty
// for years outside Range.
func In(year int) []Holiday {
	if year < firstYear || year > lastYear {
		return nil
	}
	prefix := strconv.Itoa(year) + "-"
	var out []Holiday
	for _, h := range table {
		if strings.HasPrefix(h.Date, prefix) {
			out = append(out, h)
		}
	}
	return out
}
