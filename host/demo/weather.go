package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// dayWeather is one day's weather in one district, rounded as published.
type dayWeather struct {
	tmax, tmin, precip float64
}

// Seoul station monthly normals (1991–2020, rounded): daily maximum and
// minimum temperature (°C), days with rain or snow, and precipitation (mm).
func seoulNormals() (tmax, tmin, wetDays, precip [12]float64) {
	tmax = [12]float64{1.6, 4.6, 10.7, 17.9, 23.4, 27.2, 28.8, 29.9, 25.9, 19.9, 11.5, 3.9}
	tmin = [12]float64{-5.5, -3.2, 2.0, 7.8, 13.3, 18.6, 22.4, 22.9, 17.8, 10.7, 3.6, -3.0}
	wetDays = [12]float64{5, 5, 6.5, 7.5, 8, 9, 15, 14, 8.5, 5.5, 7.5, 6.5}
	precip = [12]float64{16.8, 28.2, 36.9, 72.9, 103.6, 129.5, 414.4, 348.2, 141.5, 52.2, 51.1, 22.6}
	return
}

// monthly interpolates a monthly table linearly between mid-month days.
func monthly(v [12]float64, d time.Time) float64 {
	x := (float64(d.YearDay()) - 15.2) / 30.44
	i := int(math.Floor(x))
	f := x - float64(i)
	a := v[((i%12)+12)%12]
	b := v[(((i+1)%12)+12)%12]
	return a*(1-f) + b*f
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// genWeather simulates the weather of each district for n days from first.
// A city-wide AR(1) temperature anomaly and a two-state (dry/wet) Markov
// chain whose stationary wet probability matches the month's normal drive
// all districts; districts add a fixed offset and their own small noise, and
// share wet days with probability 0.92.
func genWeather(r *rand.Rand, first time.Time, n int, districts []string) [][]dayWeather {
	tmaxN, tminN, wetN, precipN := seoulNormals()
	out := make([][]dayWeather, n)
	anomaly := r.NormFloat64() * 3.3
	wet := false
	for i := range n {
		d := first.AddDate(0, 0, i)
		anomaly = 0.75*anomaly + 2.2*r.NormFloat64()
		dim := float64(time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
		p := monthly(wetN, d) / dim
		p11 := math.Min(0.85, p+0.35)
		p01 := p * (1 - p11) / (1 - p)
		if wet {
			wet = r.Float64() < p11
		} else {
			wet = r.Float64() < p01
		}
		meanWet := monthly(precipN, d) / monthly(wetN, d)
		cityAmount := 0.0
		if wet {
			cityAmount = 0.3 + gamma(r, 0.75, meanWet/0.75)
		}
		row := make([]dayWeather, len(districts))
		for k, district := range districts {
			amount := 0.0
			u := r.Float64()
			switch {
			case wet && u < 0.92:
				amount = cityAmount * lognormal(r, 0.35)
			case !wet && u < 0.03:
				amount = gamma(r, 0.6, 2/0.6) // a local shower
			}
			off := districtTempOffset(district)
			tmax := monthly(tmaxN, d) + anomaly + off + 0.5*r.NormFloat64()
			tmin := monthly(tminN, d) + 0.8*anomaly + off + 0.6*r.NormFloat64()
			if amount >= 0.1 {
				tmax -= 1.5 + math.Min(3, amount/10)
				tmin += 0.8
			}
			if tmin > tmax-1 {
				tmin = tmax - 1
			}
			amount = round1(amount)
			if amount < 0.1 {
				amount = 0
			}
			row[k] = dayWeather{tmax: round1(tmax), tmin: round1(tmin), precip: amount}
		}
		out[i] = row
	}
	return out
}
