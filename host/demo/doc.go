// Package demo generates the deterministic synthetic datasets of the demo
// brand, 크럼 베이커리 (Crumb Bakery): a chain of twelve bakery-cafés in
// Seoul with a 52-item catalogue, daily production and sales, Today's stock
// snapshots, district weather with a two-week forecast, intraday sales
// curves, and loyalty members with their orders.
//
// The data come from a generative model with effects a forecaster, a
// segmenter and a recommender should find: trade-area weekday profiles,
// Korean public holidays (package tools/holidays), seasonality and calendar
// events, rain and temperature, promotions, a trend, negative binomial
// noise, sales censored by a naive production plan (so that waste exists),
// latent member types for RFM segmentation and co-purchase rules for
// recommendations. README.md states the model with its formulas and
// parameters.
//
// Generate is deterministic: the same Config gives byte-identical data. It
// reads no clock and keeps no state between calls.
package demo
