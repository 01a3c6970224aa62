// Package importer reads real bakery data sets into the brand's datasets
// (a *store.Data), so that the host, the forecaster and the evaluation
// commands run on real data as well as on the demo brand.
//
// Each format is an Importer, chosen by name from a Registry; Default
// returns a new registry with the built-ins:
//
//	meteolytix  3 Kiel branches × 13 article groups, daily turnover in EUR
//	northsea    a North Sea island bakery's 64 best sellers, daily units
//	ddop        one German bakery's rolls, seeded rolls and pretzels
//
// Load imports with a built-in by name, or by the file names in the
// directory when the name is empty (Detect). The files are read where they
// are, gzip-compressed (name.gz) or plain, never copied. Parsing is strict:
// a wrong header, column count, number, date or duplicate day is a
// *ParseError naming the file, line and column and saying what was
// expected. Every parser of the input has a fuzz test.
//
// What each format becomes, and the judgement calls (turnover as the
// target, closed days, summed hourly weather, which holiday calendar), are
// documented on Meteolytix, NorthSea and DDOP and summarised in README.md.
package importer
