package importer

import (
	"slices"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

func TestEasterSunday(t *testing.T) {
	for _, want := range []string{
		"2008-03-23", // earliest in a century
		"2011-04-24",
		"2015-04-05", "2016-03-27", "2017-04-16", "2018-04-01", "2019-04-21",
		"2020-04-12", "2021-04-04", "2022-04-17", "2023-04-09", "2024-03-31",
		"2025-04-20", "2038-04-25", // latest possible
	} {
		d, _ := time.Parse(tools.DateLayout, want)
		if got := easterSunday(d.Year()).Format(tools.DateLayout); got != want {
			t.Errorf("easterSunday(%d) = %s, want %s", d.Year(), got, want)
		}
	}
}

func TestGermanHolidays(t *testing.T) {
	dates := func(hs []tools.Holiday) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Date)
		}
		return out
	}
	tests := []struct {
		name   string
		region region
		year   int
		want   []string
	}{
		{"north 2016: the nine nationwide days", regionNorth, 2016, []string{"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-01",
			"2016-05-05", "2016-05-16", "2016-10-03", "2016-12-25", "2016-12-26"}},
		{"north 2017: Reformation Day nationwide", regionNorth, 2017, []string{"2017-01-01", "2017-04-14", "2017-04-17", "2017-05-01",
			"2017-05-25", "2017-06-05", "2017-10-03", "2017-10-31", "2017-12-25", "2017-12-26"}},
		{"north 2019: Reformation Day in Schleswig-Holstein", regionNorth, 2019, []string{"2019-01-01", "2019-04-19", "2019-04-22", "2019-05-01",
			"2019-05-30", "2019-06-10", "2019-10-03", "2019-10-31", "2019-12-25", "2019-12-26"}},
		{"BW 2018", regionBW, 2018, []string{"2018-01-01", "2018-01-06", "2018-03-30", "2018-04-02", "2018-05-01",
			"2018-05-10", "2018-05-21", "2018-05-31", "2018-10-03", "2018-11-01", "2018-12-25", "2018-12-26"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := germanHolidays(tt.region, tt.year, tt.year)
			if got := dates(hs); !slices.Equal(got, tt.want) {
				t.Errorf("dates = %v\nwant    %v", got, tt.want)
			}
			for _, h := range hs {
				if h.Name == "" || h.NameEN == "" {
					t.Errorf("%+v has no name", h)
				}
			}
		})
	}
	if got := len(germanHolidays(regionNorth, 2015, 2020)); got != 9+9+10+10+10+10 {
		t.Errorf("north 2015–2020: %d holidays, want 58", got)
	}
}

func TestGermanHolidayName(t *testing.T) {
	tests := []struct {
		date, name, nameEN string
	}{
		{"2016-03-27", "Ostersonntag", "Easter Sunday"},
		{"2016-05-26", "Fronleichnam", "Corpus Christi"},
		{"2019-06-09", "Pfingstsonntag", "Whit Sunday"},
		{"2018-10-31", "Reformationstag", "Reformation Day"},
		{"2018-12-26", "2. Weihnachtstag", "Second Day of Christmas"},
		{"2018-12-24", "", ""},
	}
	for _, tt := range tests {
		d, _ := time.Parse(tools.DateLayout, tt.date)
		name, en, ok := germanHolidayName(d)
		if name != tt.name || en != tt.nameEN || ok != (tt.name != "") {
			t.Errorf("germanHolidayName(%s) = %q, %q, %v", tt.date, name, en, ok)
		}
	}
}
