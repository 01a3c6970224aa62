package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// onlineRetailFile is the UCI Online Retail transactions, named without .gz.
const onlineRetailFile = "online_retail.csv"

// onlineRetailHeader is online_retail.csv's header, in UCI order.
func onlineRetailHeader() []string {
	return []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}
}

// Columns of online_retail.csv.
const (
	orInvoice = iota
	orStockCode
	orDescription
	orQuantity
	orDate
	orPrice
	orCustomer
	orCountry
	orColumns
)

// orDateLayout is InvoiceDate's layout: London wall-clock time.
const orDateLayout = "2006-01-02 15:04:05"

// Why a line of online_retail.csv is not imported; "" keeps it.
const (
	orDropKeep         = ""
	orDropCancellation = "cancellation"     // InvoiceNo C…, or quantity ≤ 0
	orDropNonProduct   = "non-product code" // postage, fees, adjustments, samples
	orDropNoCustomer   = "no customer"      // CustomerID empty
	orDropNoPrice      = "price ≤ 0"        // UnitPrice ≤ 0, or under half a penny
)

// orNonProductCodes are stock codes that are not goods: postage (POST, DOT,
// C2 carriage), discounts and manual entries (D, M, m), fees (BANK CHARGES,
// AMAZONFEE), charity (CRUK), bad-debt adjustments (B), samples (S) and
// cushion pads (PADS). C2 is the one of them with a digit.
var orNonProductCodes = map[string]bool{
	"POST": true, "D": true, "M": true, "m": true, "C2": true, "DOT": true, "BANK CHARGES": true,
	"AMAZONFEE": true, "CRUK": true, "PADS": true, "B": true, "S": true,
}

// orNonProduct reports whether code is not a product: one of
// orNonProductCodes, a gift voucher (gift_…), or any code without a digit
// (which also drops the DCGSSBOY / DCGSSGIRL party sets: every real
// catalogue code has its five-digit number).
func orNonProduct(code string) bool {
	if orNonProductCodes[code] || strings.HasPrefix(strings.ToLower(code), "gift_") {
		return true
	}
	return !strings.ContainsFunc(code, func(r rune) bool { return r >= '0' && r <= '9' })
}

// OnlineRetail imports the UCI Online Retail data set (dataset 352, Chen,
// Sain & Guo 2012): the transactions of a UK online gift retailer from
// 2010-12-01 to 2011-12-09, one line per invoice line, mostly to wholesale
// customers in 38 countries. online_retail.csv is the RFC-4180 CSV with
// the columns InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
// UnitPrice, CustomerID, Country. Every field is checked; a malformed one
// is a ParseError.
//
// Lines are dropped, in this order of reasons:
//   - cancellations: InvoiceNo starting with C, or Quantity ≤ 0 (the
//     purchase a cancellation reverses stays: the data does not link them);
//   - non-product stock codes: POST, D, M, m, C2, DOT, BANK CHARGES,
//     AMAZONFEE, CRUK, PADS, B, S, gift vouchers gift_…, and any other code
//     without a digit (DCGSSBOY, DCGSSGIRL). Codes are case-sensitive:
//     85123A and 85123a are different products, as in the source;
//   - lines without a CustomerID;
//   - lines with UnitPrice ≤ 0 (or below half a penny, which rounds to 0).
//
// What is left becomes:
//   - Stores: one per country, IDs C01, C02, … in the order the countries
//     first appear among the kept lines (C01 is United Kingdom); Name,
//     NameEN, District and DistrictEN are the country.
//   - Products: one per stock code, sorted by code. Name and NameEN are the
//     code's most frequent (trimmed) description, ties to the smallest;
//     Category is derived from words of that name (see orCategory); Price
//     is the median unit price of its lines, in pence (the lower middle
//     when the count is even).
//   - Customers: one per CustomerID, ID the integer as written, Gender and
//     AgeBand empty, JoinedOn the date of the first invoice, HomeStoreID
//     the country with most of their invoices (ties to the lower store ID).
//   - Orders: one per invoice, ID the InvoiceNo, At the earliest
//     InvoiceDate of its lines read as Europe/London wall-clock time, Total
//     Σ quantity × unit price in pence. An invoice's lines must agree on
//     customer and country.
//   - OrderItems: one per invoice and stock code, lines of the same code
//     merged: Quantity summed, Price the quantity-weighted mean unit price
//     rounded to the penny (they differ in a few dozen invoices).
//   - Sales: per day, country and product, Quantity and Revenue (pence)
//     summed over the kept lines, Price Revenue / Quantity rounded.
//
// Holidays are left empty: the customers are spread over 38 countries.
type OnlineRetail struct{}

// Name implements Importer.
func (OnlineRetail) Name() string { return "onlineretail" }

// Describe implements Importer.
func (OnlineRetail) Describe() string {
	return "UCI Online Retail: UK online gift shop 2010–2011, invoices of ~4,300 customers in 38 countries (one store per country), prices in pence"
}

// Detect implements Detector.
func (OnlineRetail) Detect(dir string) bool {
	return hasAll(dir, onlineRetailFile)
}

// orLine is one parsed line of online_retail.csv.
type orLine struct {
	line        int // in the file, from 1
	invoice     string
	stockCode   string
	description string // trimmed
	quantity    int
	at          time.Time // in Europe/London
	date        string    // YYYY-MM-DD of at
	price       int       // pence
	customer    string    // "" when missing
	country     string
	drop        string // one of the or… reasons, orDropKeep to import
}

// orAgg* accumulate the kept lines.
type orProductAgg struct {
	descs  map[string]int
	prices []int
}

type orCustomerAgg struct {
	first    time.Time
	invoices []int // by store index
}

type orOrderAgg struct {
	line     int
	customer string
	store    int
	at       time.Time
	total    int
	codes    []string
	items    map[string]*[2]int // quantity, amount in pence
}

type orSaleKey struct {
	date  string
	store int
	code  string
}

// Import implements Importer.
func (OnlineRetail) Import(ctx context.Context, dir string, progress store.Progress) (*store.Data, error) {
	srcs, err := findSources(dir, onlineRetailFile)
	if err != nil {
		return nil, err
	}
	rep := newReporter(progress, srcs)
	var (
		countries []string
		storeOf   = map[string]int{}
		products  = map[string]*orProductAgg{}
		customers = map[string]*orCustomerAgg{}
		custOrder []string
		orders    = map[string]*orOrderAgg{}
		invOrder  []string
		sales     = map[orSaleKey]*[2]int{}
	)
	err = withFile(srcs[0], rep, func(r io.Reader, file string) error {
		return readOnlineRetail(ctx, r, file, func(l *orLine) error {
			if l.drop != orDropKeep {
				return nil
			}
			s, ok := storeOf[l.country]
			if !ok {
				s = len(countries)
				storeOf[l.country] = s
				countries = append(countries, l.country)
			}
			p := products[l.stockCode]
			if p == nil {
				p = &orProductAgg{descs: map[string]int{}}
				products[l.stockCode] = p
			}
			if l.description != "" {
				p.descs[l.description]++
			}
			p.prices = append(p.prices, l.price)
			amount := l.quantity * l.price
			o := orders[l.invoice]
			if o == nil {
				o = &orOrderAgg{line: l.line, customer: l.customer, store: s, at: l.at, items: map[string]*[2]int{}}
				orders[l.invoice] = o
				invOrder = append(invOrder, l.invoice)
				c := customers[l.customer]
				if c == nil {
					c = &orCustomerAgg{first: l.at}
					customers[l.customer] = c
					custOrder = append(custOrder, l.customer)
				}
				c.first = minTime(c.first, l.at)
				for len(c.invoices) <= s {
					c.invoices = append(c.invoices, 0)
				}
				c.invoices[s]++
			} else {
				if o.customer != l.customer {
					return &ParseError{File: file, Line: l.line, Column: orCustomer + 1, Field: "CustomerID",
						Err: fmt.Errorf("%q, but line %d of invoice %s has %q: an invoice has one customer", clip(l.customer), o.line, l.invoice, o.customer)}
				}
				if o.store != s {
					return &ParseError{File: file, Line: l.line, Column: orCountry + 1, Field: "Country",
						Err: fmt.Errorf("%q, but line %d of invoice %s has %q: an invoice has one country", clip(l.country), o.line, l.invoice, countries[o.store])}
				}
				o.at = minTime(o.at, l.at)
				customers[l.customer].first = minTime(customers[l.customer].first, l.at)
			}
			o.total += amount
			it := o.items[l.stockCode]
			if it == nil {
				it = &[2]int{}
				o.items[l.stockCode] = it
				o.codes = append(o.codes, l.stockCode)
			}
			it[0] += l.quantity
			it[1] += amount
			k := orSaleKey{date: l.date, store: s, code: l.stockCode}
			sv := sales[k]
			if sv == nil {
				sv = &[2]int{}
				sales[k] = sv
			}
			sv[0] += l.quantity
			sv[1] += amount
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	rep.finish()
	if len(orders) == 0 {
		return nil, fmt.Errorf("%s has no lines left after dropping cancellations, non-product codes, lines without customer and free lines", srcs[0].name)
	}
	d := &store.Data{
		Stores:     make([]tools.Store, len(countries)),
		Products:   make([]tools.Product, 0, len(products)),
		Customers:  make([]tools.Customer, 0, len(customers)),
		Orders:     make([]tools.Order, 0, len(orders)),
		OrderItems: make([]tools.OrderItem, 0, len(orders)*24),
		Sales:      make([]tools.Sale, 0, len(sales)),
	}
	for i, c := range countries {
		d.Stores[i] = tools.Store{ID: orStoreID(i), Name: c, NameEN: c, District: c, DistrictEN: c}
	}
	for _, code := range slices.Sorted(maps.Keys(products)) {
		p := products[code]
		name, n := code, 0
		for desc, c := range p.descs {
			if c > n || c == n && desc < name {
				name, n = desc, c
			}
		}
		slices.Sort(p.prices)
		d.Products = append(d.Products, tools.Product{ID: code, Name: name, NameEN: name, Category: orCategory(name),
			Tags: []string{}, Price: p.prices[(len(p.prices)-1)/2]})
	}
	for _, id := range custOrder {
		c := customers[id]
		home := 0
		for s, n := range c.invoices {
			if n > c.invoices[home] {
				home = s
			}
		}
		d.Customers = append(d.Customers, tools.Customer{ID: id, JoinedOn: c.first.Format(tools.DateLayout), HomeStoreID: orStoreID(home)})
	}
	for _, inv := range invOrder {
		o := orders[inv]
		d.Orders = append(d.Orders, tools.Order{ID: inv, CustomerID: o.customer, StoreID: orStoreID(o.store), At: o.at, Total: o.total})
		for _, code := range o.codes {
			it := o.items[code]
			d.OrderItems = append(d.OrderItems, tools.OrderItem{OrderID: inv, ProductID: code, Quantity: it[0], Price: divRound(it[1], it[0])})
		}
	}
	for k, v := range sales {
		d.Sales = append(d.Sales, tools.Sale{Date: k.date, StoreID: orStoreID(k.store), ProductID: k.code,
			Quantity: v[0], Price: divRound(v[1], v[0]), Revenue: v[1]})
	}
	slices.SortFunc(d.Sales, func(a, b tools.Sale) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.StoreID, b.StoreID), strings.Compare(a.ProductID, b.ProductID))
	})
	d.Holidays = []tools.Holiday{}
	return d, nil
}

func orStoreID(i int) string { return fmt.Sprintf("C%02d", i+1) }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// divRound is a / b rounded half away from zero; b > 0.
func divRound(a, b int) int {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// orCategories are the coarse product categories, the first whose words
// occur in the description winning: a Christmas heart is christmas.
var orCategories = []struct {
	name  string
	words []string
}{
	{"christmas", []string{"CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "NATIVITY", "SNOWFLAKE"}},
	{"bag", []string{"BAG", "BAGS", "TOTE", "SHOPPER"}},
	{"candle", []string{"CANDLE", "CANDLES", "TLIGHT", "TLIGHTS", "TEALIGHT", "TEALIGHTS", "LANTERN"}},
	{"mug_cup", []string{"MUG", "MUGS", "CUP", "CUPS", "TEACUP", "TEACUPS", "BEAKER", "BEAKERS"}},
	{"decoration", []string{"HEART", "HEARTS", "DECORATION", "DECORATIONS", "BUNTING", "GARLAND", "ORNAMENT", "WREATH"}},
}

// orCategory derives a product category from its description by whole
// words (so CUPID is no cup), T-LIGHT and T LIGHT counting as TLIGHT;
// "other" when no keyword occurs.
func orCategory(desc string) string {
	up := strings.ToUpper(desc)
	up = strings.NewReplacer("T-LIGHT", "TLIGHT", "T LIGHT", "TLIGHT", "TEA LIGHT", "TEALIGHT").Replace(up)
	words := strings.FieldsFunc(up, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, c := range orCategories {
		for _, w := range words {
			if slices.Contains(c.words, w) {
				return c.name
			}
		}
	}
	return "other"
}

// london is the time zone of InvoiceDate. Without the system's zone data
// it falls back to the UK rule in force since 1996 (BST from the last
// Sunday of March to the last Sunday of October, 01:00 UTC).
var london = sync.OnceValue(func() func(y int, mo time.Month, d, h, mi, s int) time.Time {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, loc) }
	}
	gmt, bst := time.FixedZone("GMT", 0), time.FixedZone("BST", 3600)
	lastSunday := func(y int, mo time.Month) time.Time {
		t := time.Date(y, mo+1, 0, 1, 0, 0, 0, time.UTC)
		return t.AddDate(0, 0, -int(t.Weekday()))
	}
	return func(y int, mo time.Month, d, h, mi, s int) time.Time {
		t := time.Date(y, mo, d, h, mi, s, 0, gmt)
		if !t.Before(lastSunday(y, time.March)) && t.Add(-time.Hour).Before(lastSunday(y, time.October)) {
			return time.Date(y, mo, d, h, mi, s, 0, bst)
		}
		return t
	}
})

// readOnlineRetail reads online_retail.csv and calls fn with every line,
// dropped ones (drop set) included. A malformed field is a *ParseError;
// so is an error from fn, unless it already is one.
func readOnlineRetail(ctx context.Context, r io.Reader, file string, fn func(*orLine) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header := onlineRetailHeader()
	rec, err := cr.Read()
	if err == io.EOF {
		return &ParseError{File: file, Line: 1, Err: fmt.Errorf("empty file: want the header %s", headerList(header))}
	}
	if err != nil {
		return orCSVError(file, err)
	}
	if !equalStrings(rec, header) {
		return &ParseError{File: file, Line: 1, Err: fmt.Errorf("header %s: want %s", headerList(rec), headerList(header))}
	}
	var l orLine
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return orCSVError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != orColumns {
			return &ParseError{File: file, Line: line, Err: fmt.Errorf("%d fields: want %d (%s)", len(rec), orColumns, headerList(header))}
		}
		col, err := parseOnlineRetail(rec, &l)
		if err != nil {
			return &ParseError{File: file, Line: line, Column: col + 1, Field: header[col], Err: err}
		}
		l.line = line
		if err := fn(&l); err != nil {
			if pe := (*ParseError)(nil); errors.As(err, &pe) {
				return err
			}
			return &ParseError{File: file, Line: line, Err: err}
		}
	}
}

func orCSVError(file string, err error) error {
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		return &ParseError{File: file, Line: max(ce.Line, 1), Err: fmt.Errorf("%w (at character %d): want RFC-4180 CSV", ce.Err, ce.Column)}
	}
	return fmt.Errorf("read %s: %w", file, err)
}

// parseOnlineRetail parses one record of online_retail.csv into l and
// decides whether it is kept. On error it returns the 0-based column at
// fault.
func parseOnlineRetail(rec []string, l *orLine) (int, error) {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return i, fmt.Errorf("%q is not UTF-8", clip(f))
		}
	}
	*l = orLine{}
	l.invoice = rec[orInvoice]
	if !orInvoiceNo(l.invoice) {
		return orInvoice, fmt.Errorf("%q: want digits, optionally after one capital letter (C for a cancellation), like 536365 or C536379", clip(l.invoice))
	}
	l.stockCode = rec[orStockCode]
	if l.stockCode == "" || strings.TrimSpace(l.stockCode) != l.stockCode || len(l.stockCode) > 64 ||
		strings.ContainsFunc(l.stockCode, unicode.IsControl) {
		return orStockCode, fmt.Errorf("%q: want a code like 85123A, without surrounding blanks", clip(l.stockCode))
	}
	l.description = strings.TrimSpace(rec[orDescription])
	if strings.ContainsFunc(l.description, unicode.IsControl) {
		return orDescription, fmt.Errorf("%q has control characters", clip(l.description))
	}
	q, err := strconv.Atoi(rec[orQuantity])
	if err != nil || q < -1e6 || q > 1e6 {
		return orQuantity, fmt.Errorf("%q: want a whole number of units, at most a million either way", clip(rec[orQuantity]))
	}
	l.quantity = q
	s := rec[orDate]
	t, err := time.Parse(orDateLayout, s)
	if err != nil || t.Year() < 1900 {
		return orDate, fmt.Errorf("%q: want YYYY-MM-DD HH:MM:SS, like 2010-12-01 08:26:00", clip(s))
	}
	l.at = london()(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	l.date = s[:10]
	p, ok := parseDecimal(rec[orPrice], '.')
	if !ok || math.Abs(p) > 1e6 {
		return orPrice, fmt.Errorf("%q: want a price in pounds like 2.55, at most a million either way", clip(rec[orPrice]))
	}
	l.price = int(math.Round(p * 100))
	if c := rec[orCustomer]; c != "" {
		id, err := strconv.Atoi(c)
		if err != nil || id < 1 || id > 1e9 || strconv.Itoa(id) != c {
			return orCustomer, fmt.Errorf("%q: want a positive whole number like 17850, or empty", clip(c))
		}
		l.customer = c
	}
	l.country = strings.TrimSpace(rec[orCountry])
	if l.country == "" || strings.ContainsFunc(l.country, unicode.IsControl) {
		return orCountry, fmt.Errorf("%q: want a country name like United Kingdom", clip(rec[orCountry]))
	}
	switch {
	case strings.HasPrefix(l.invoice, "C") || l.quantity <= 0:
		l.drop = orDropCancellation
	case orNonProduct(l.stockCode):
		l.drop = orDropNonProduct
	case l.customer == "":
		l.drop = orDropNoCustomer
	case l.price <= 0:
		l.drop = orDropNoPrice
	}
	return 0, nil
}

// orInvoiceNo reports whether s is digits, optionally after one capital
// letter.
func orInvoiceNo(s string) bool {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		s = s[1:]
	}
	if s == "" || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
