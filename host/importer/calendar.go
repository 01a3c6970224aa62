package importer

import (
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// region selects a German state's public holidays. Public holidays in
// Germany are set by each state; the federal government sets only German
// Unity Day.
type region int

const (
	// regionNorth is Schleswig-Holstein, whose public holidays are the same
	// as Niedersachsen's, Hamburg's and Bremen's: the nine nationwide days,
	// and Reformation Day from 2018 (all four adopted it that year).
	regionNorth region = iota + 1
	// regionBW is Baden-Württemberg: the nationwide days, Epiphany,
	// Corpus Christi and All Saints' Day. Bavaria outside its Catholic
	// communities (which add Assumption Day) has the same list.
	regionBW
)

// dayRule is one German holiday: a fixed date, or an offset from Easter
// Sunday when month is 0.
type dayRule struct {
	name, nameEN string
	month        time.Month
	day          int
	easter       int
	where        func(r region, year int) bool
}

func everywhere(region, int) bool { return true }

// germanRules lists every holiday the importers name, in calendar order.
// Easter Sunday and Whit Sunday are not public holidays (they fall on
// Sundays anyway) but data sets mark them, so they have names here.
func germanRules() []dayRule {
	bw := func(r region, _ int) bool { return r == regionBW }
	never := func(region, int) bool { return false }
	return []dayRule{
		{name: "Neujahr", nameEN: "New Year's Day", month: time.January, day: 1, where: everywhere},
		{name: "Heilige Drei Könige", nameEN: "Epiphany", month: time.January, day: 6, where: bw},
		{name: "Karfreitag", nameEN: "Good Friday", easter: -2, where: everywhere},
		{name: "Ostersonntag", nameEN: "Easter Sunday", easter: 0, where: never},
		{name: "Ostermontag", nameEN: "Easter Monday", easter: 1, where: everywhere},
		{name: "Tag der Arbeit", nameEN: "Labour Day", month: time.May, day: 1, where: everywhere},
		{name: "Christi Himmelfahrt", nameEN: "Ascension Day", easter: 39, where: everywhere},
		{name: "Pfingstsonntag", nameEN: "Whit Sunday", easter: 49, where: never},
		{name: "Pfingstmontag", nameEN: "Whit Monday", easter: 50, where: everywhere},
		{name: "Fronleichnam", nameEN: "Corpus Christi", easter: 60, where: bw},
		{name: "Tag der Deutschen Einheit", nameEN: "German Unity Day", month: time.October, day: 3, where: everywhere},
		{name: "Reformationstag", nameEN: "Reformation Day", month: time.October, day: 31, where: func(r region, y int) bool {
			// 2017, the 500th anniversary, everywhere; in the north from 2018.
			return y == 2017 || (r == regionNorth && y >= 2018)
		}},
		{name: "Allerheiligen", nameEN: "All Saints' Day", month: time.November, day: 1, where: bw},
		{name: "1. Weihnachtstag", nameEN: "Christmas Day", month: time.December, day: 25, where: everywhere},
		{name: "2. Weihnachtstag", nameEN: "Second Day of Christmas", month: time.December, day: 26, where: everywhere},
	}
}

// easterSunday is the date of Easter Sunday in the Gregorian calendar
// (the anonymous Gregorian algorithm of Meeus, Jones and Butcher).
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

func (r dayRule) on(year int) time.Time {
	if r.month == 0 {
		return easterSunday(year).AddDate(0, 0, r.easter)
	}
	return time.Date(year, r.month, r.day, 0, 0, 0, 0, time.UTC)
}

// germanHolidays returns the public holidays of the state in the years
// from through to, in date order.
func germanHolidays(st region, from, to int) []tools.Holiday {
	var out []tools.Holiday
	for y := from; y <= to; y++ {
		for _, r := range germanRules() {
			if r.where(st, y) {
				out = append(out, tools.Holiday{Date: r.on(y).Format(tools.DateLayout), Name: r.name, NameEN: r.nameEN})
			}
		}
	}
	slices.SortFunc(out, func(a, b tools.Holiday) int { return strings.Compare(a.Date, b.Date) })
	return out
}

// germanHolidayName names the German holiday (in any state) on date d, or
// reports that there is none.
func germanHolidayName(d time.Time) (name, nameEN string, ok bool) {
	for _, r := range germanRules() {
		if r.on(d.Year()).Equal(d) {
			return r.name, r.nameEN, true
		}
	}
	return "", "", false
}
