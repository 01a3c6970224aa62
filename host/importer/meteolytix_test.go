package importer

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// meteolytixFiles is a small meteolytix directory in the real formats: the
// groups with BOM and CRLF, the weather with BOM, CRLF, decimal commas and
// NULLs.
func meteolytixFiles() map[string]string {
	return map[string]string{
		meteolytixGroupsFile: "\uFEFFArtikelgruppe;Name\r\n1;Weizenbrot\r\n5;Stangenbrote\r\n14;Neue Gruppe\r\n",
		meteolytixSalesFile: "Filiale,Datum,Artikelgruppe,Umsatz\n" +
			"2,2019-12-31,1,50.5\n" + // rounds half away from zero
			"1,2020-01-02,5,-7.83045087432881\n" + // a net return
			"1,2015-01-07,14,1e2\n",
		meteolytixWeatherFile: "\uFEFFDate;nnav;ttav;ffav;wwav\r\n" +
			"01.01.2015;8;4,125;13;10\r\n" + // dry code
			"02.01.2015;6;-7,75;24;61\r\n" + // rain
			"04.01.2015;0;4,75;15;NULL\r\n" + // nothing reported: dry
			"05.01.2015;NULL;8,1;11;NULL\r\n" + // no observation: skipped
			"06.01.2015;3;NULL;11;50\r\n", // no temperature: skipped
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeGz(t, dir, name, content)
	}
	return dir
}

func TestMeteolytixFixture(t *testing.T) {
	dir := writeFiles(t, meteolytixFiles())
	var calls int
	d, err := Meteolytix{}.Import(context.Background(), dir, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
	wantStores := []tools.Store{
		{ID: "F1", Name: "Filiale 1", NameEN: "Branch 1", District: "Kiel", DistrictEN: "Kiel", Lat: 54.32, Lon: 10.13},
		{ID: "F2", Name: "Filiale 2", NameEN: "Branch 2", District: "Kiel", DistrictEN: "Kiel", Lat: 54.32, Lon: 10.13},
	}
	if !reflect.DeepEqual(d.Stores, wantStores) {
		t.Errorf("stores = %+v", d.Stores)
	}
	wantProducts := []tools.Product{
		{ID: "AG1", Name: "Weizenbrot", NameEN: "Wheat bread", Category: "bread", Tags: []string{}},
		{ID: "AG5", Name: "Stangenbrote", NameEN: "Baguettes", Category: "bread", Tags: []string{}},
		{ID: "AG14", Name: "Neue Gruppe", NameEN: "Neue Gruppe", Category: "other", Tags: []string{}},
	}
	if !reflect.DeepEqual(d.Products, wantProducts) {
		t.Errorf("products = %+v", d.Products)
	}
	wantSales := []tools.Sale{
		{Date: "2019-12-31", StoreID: "F2", ProductID: "AG1", Quantity: 51, Revenue: 5050},
		{Date: "2020-01-02", StoreID: "F1", ProductID: "AG5", Quantity: 0, Revenue: -783},
		{Date: "2015-01-07", StoreID: "F1", ProductID: "AG14", Quantity: 100, Revenue: 10000},
	}
	if !reflect.DeepEqual(d.Sales, wantSales) {
		t.Errorf("sales = %+v", d.Sales)
	}
	wantWeather := []tools.Weather{
		{Date: "2015-01-01", District: "Kiel", TempMax: 4.125, TempMin: 4.125},
		{Date: "2015-01-02", District: "Kiel", TempMax: -7.75, TempMin: -7.75, Precipitation: 1},
		{Date: "2015-01-04", District: "Kiel", TempMax: 4.75, TempMin: 4.75},
	}
	if !reflect.DeepEqual(d.Weather, wantWeather) {
		t.Errorf("weather = %+v", d.Weather)
	}
	// Schleswig-Holstein, 2015 (first sales year) to 2021 (the year after the last).
	if first, last := d.Holidays[0], d.Holidays[len(d.Holidays)-1]; first.Date != "2015-01-01" || last.Date != "2021-12-26" || first.Name != "Neujahr" {
		t.Errorf("holidays run %+v … %+v", first, last)
	}
}

func TestMeteolytixErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{"groups header", meteolytixGroupsFile, "Gruppe;Name\n1;Brot\n",
			`meteolytix_Artikelgruppen.csv.gz line 1: header is "Gruppe;Name": want "Artikelgruppe;Name" (columns separated by semicolons)`},
		{"groups comma-separated", meteolytixGroupsFile, "Artikelgruppe,Name\n1,Brot\n", `want "Artikelgruppe;Name"`},
		{"group number", meteolytixGroupsFile, "Artikelgruppe;Name\nA;Brot\n",
			`meteolytix_Artikelgruppen.csv.gz line 2, column 1 (Artikelgruppe): "A": want an article group number ≥ 1`},
		{"group twice", meteolytixGroupsFile, "Artikelgruppe;Name\n1;Brot\r\n1;Brötchen\r\n", "line 3, column 1 (Artikelgruppe): article group 1 again: first defined on line 2"},
		{"group without name", meteolytixGroupsFile, "Artikelgruppe;Name\n1;\n", "line 2, column 2 (Name): empty name"},
		{"no groups", meteolytixGroupsFile, "\uFEFFArtikelgruppe;Name\r\n", "no article groups after the header"},
		{"sales columns", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,2015-01-07,1\n",
			"hackathon_meteolytix_Artikelgruppen_Umsatz_verschiedeneStandorte.csv.gz line 2: 3 columns: want 4 (Filiale, Datum, Artikelgruppe, Umsatz), separated by commas"},
		{"sales date", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,07.01.2015,1,5\n",
			`line 2, column 2 (Datum): "07.01.2015" is not a date: want YYYY-MM-DD, like 2015-01-07`},
		{"sales unknown group", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,2015-01-07,7,5\n",
			"line 2, column 3 (Artikelgruppe): article group 7 is not in meteolytix_Artikelgruppen.csv.gz"},
		{"sales decimal comma", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,2015-01-07,1,\"5,5\"\n",
			"line 2: 5 columns"},
		{"sales bad number", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,2015-01-07,1,5 EUR\n",
			`line 2, column 4 (Umsatz): "5 EUR" is not a number: want a decimal with a point, like 52.9`},
		{"sales branch", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n0,2015-01-07,1,5\n",
			`line 2, column 1 (Filiale): "0": want a branch number 1–999`},
		{"sales twice", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n1,2015-01-07,1,5\n1,2015-01-07,1,6\n",
			"line 3: Filiale 1, 2015-01-07, Artikelgruppe 1 again: first on line 2"},
		{"sales empty", meteolytixSalesFile, "Filiale,Datum,Artikelgruppe,Umsatz\n", "has no rows"},
		{"weather header", meteolytixWeatherFile, "\uFEFFDate;nnav;ttav;ffav\r\n", `want "Date;nnav;ttav;ffav;wwav"`},
		{"weather decimal point", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n01.01.2015;8;4.125;13;10\n",
			`wetter_kiel_2015-2019.csv.gz line 2, column 3 (ttav): "4.125" is not a number: want a decimal with a comma, like 4,125, or NULL`},
		{"weather ISO date", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n2015-01-01;8;4,1;13;10\n",
			`column 1 (Date): "2015-01-01" is not a date: want DD.MM.YYYY, like 01.01.2015`},
		{"weather code", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n01.01.2015;8;4,1;13;100\n",
			"column 5 (wwav): weather code 100: want a WMO code 0–99 or NULL"},
		{"weather lowercase null", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n01.01.2015;8;4,1;13;null\n",
			`column 5 (wwav): "null" is not a number`},
		{"weather cloud cover", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n01.01.2015;12;4,1;13;1\n", "column 2 (nnav): cloud cover 12: want 0–9 octas"},
		{"weather day twice", meteolytixWeatherFile, "Date;nnav;ttav;ffav;wwav\n01.01.2015;1;4,1;13;1\n01.01.2015;1;4,1;13;1\n",
			"line 3, column 1 (Date): 2015-01-01 again: first on line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := meteolytixFiles()
			files[tt.file] = tt.content
			_, err := Meteolytix{}.Import(context.Background(), writeFiles(t, files), nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v\nwant containing %q", err, tt.wantErr)
			}
		})
	}
}
