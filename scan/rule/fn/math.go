package fn

import "math"

// A numeric argument is an int, a float, or a string holding a number (UDM
// values are strings); anything else makes the result "no value".

var num1 = []Arg{{Name: "number", Kind: Float}}

// floatFunc binds a float → float function.
func floatFunc(f func(float64) float64) func(Env, []Value) (Impl, error) {
	return pure(func(a []Value) Value {
		x, ok := AsFloat(argAt(a, 0))
		if !ok {
			return Value{}
		}
		return F(f(x))
	})
}

// intFunc binds a float → int function (ceil, floor); ints pass through.
func intFunc(f func(float64) float64) func(Env, []Value) (Impl, error) {
	return pure(func(a []Value) Value {
		n, ok := number(argAt(a, 0))
		if !ok {
			return Value{}
		}
		if n.Kind == Int {
			return n
		}
		i, ok := truncInt(f(n.F))
		if !ok {
			return Value{}
		}
		return I(i)
	})
}

// earthRadius is the mean Earth radius in meters that Google's S2
// geometry library uses (S2Earth::RadiusMeters). With the haversine
// formula it comes within 0.05 m of math.geo_distance's documented
// examples (134.564318 and 1926.421905 m); no single radius reproduces
// both to the printed precision, so SecOps' exact model is unknown.
const earthRadius = 6371010.0

var mathFuncs = []Func{
	{
		Name:    "math.abs",
		Args:    num1,
		Result:  Any,
		Doc:     "the absolute value, an int for an int and a float for a float",
		Example: `math.abs(0-5) = 5`,
		Bind: pure(func(a []Value) Value {
			n, ok := number(argAt(a, 0))
			switch {
			case !ok:
				return Value{}
			case n.Kind == Int && n.I < 0 && n.I != math.MinInt64:
				return I(-n.I)
			case n.Kind == Float:
				return F(math.Abs(n.F))
			}
			return n
		}),
	},
	{
		Name:    "math.ceil",
		Args:    num1,
		Result:  Int,
		Doc:     "the smallest integer not less than the number",
		Example: `math.ceil(1.2) = 2`,
		Bind:    intFunc(math.Ceil),
	},
	{
		Name:    "math.floor",
		Args:    num1,
		Result:  Int,
		Doc:     "the largest integer not greater than the number",
		Example: `math.floor(1.8) = 1`,
		Bind:    intFunc(math.Floor),
	},
	{
		Name: "math.geo_distance",
		Args: []Arg{
			{Name: "longitude1", Kind: Float}, {Name: "latitude1", Kind: Float},
			{Name: "longitude2", Kind: Float}, {Name: "latitude2", Kind: Float},
		},
		Result:  Float,
		Doc:     "the great-circle distance in meters between two points given in degrees, or -1 when a coordinate is out of range",
		Example: `math.geo_distance(-122.897680, 37.407574, -122.897680, 37.407574) = 0.000000`,
		Bind: pure(func(a []Value) Value {
			var c [4]float64
			for i := range c {
				x, ok := AsFloat(argAt(a, i))
				if !ok {
					return F(-1)
				}
				c[i] = x
			}
			lon1, lat1, lon2, lat2 := c[0], c[1], c[2], c[3]
			if math.Abs(lon1) > 180 || math.Abs(lon2) > 180 || math.Abs(lat1) > 90 || math.Abs(lat2) > 90 {
				return F(-1)
			}
			rad := math.Pi / 180
			φ1, φ2 := lat1*rad, lat2*rad
			dφ, dλ := (lat2-lat1)*rad, (lon2-lon1)*rad
			h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
			return F(2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h))))
		}),
	},
	{
		Name:    "math.is_increasing",
		Args:    []Arg{{Name: "num1", Kind: Float}, {Name: "num2", Kind: Float}, {Name: "num3", Kind: Float}},
		Result:  Bool,
		Doc:     "whether the three numbers are in strictly ascending order",
		Example: `math.is_increasing(1716769112, 1716769113, 1716769114) = true`,
		Bind: pure(func(a []Value) Value {
			for i := 1; i < 3; i++ {
				x, ok1 := number(argAt(a, i-1))
				y, ok2 := number(argAt(a, i))
				if !ok1 || !ok2 {
					return B(false)
				}
				if c, ok := Compare(x, y); !ok || c >= 0 {
					return B(false)
				}
			}
			return B(true)
		}),
	},
	{
		Name:    "math.log",
		Args:    num1,
		Result:  Float,
		Doc:     "the natural logarithm",
		Example: `math.log(1) = 0.0`,
		Bind:    floatFunc(math.Log),
	},
	{
		Name:    "math.pow",
		Args:    []Arg{{Name: "base", Kind: Float}, {Name: "exponent", Kind: Float}},
		Result:  Float,
		Doc:     "base raised to the power exponent",
		Example: `math.pow(2, 10) = 1024.0`,
		Bind: pure(func(a []Value) Value {
			x, ok1 := AsFloat(argAt(a, 0))
			y, ok2 := AsFloat(argAt(a, 1))
			if !ok1 || !ok2 {
				return Value{}
			}
			return F(math.Pow(x, y))
		}),
	},
	{
		Name:    "math.round",
		Args:    []Arg{{Name: "numericExpression", Kind: Float}, {Name: "decimalPlaces", Kind: Int, Optional: true}},
		Result:  Any,
		Doc:     "the number rounded half away from zero to an integer, or to decimalPlaces decimals (a float); an int stays an int",
		Example: `math.round(10.7) = 11`,
		Bind: pure(func(a []Value) Value {
			n, ok := number(argAt(a, 0))
			if !ok {
				return Value{}
			}
			places := int64(0)
			if len(a) > 1 {
				if places, ok = AsInt(a[1]); !ok {
					return Value{}
				}
			}
			if n.Kind == Int && places >= 0 {
				return n
			}
			x, _ := AsFloat(n)
			if len(a) < 2 {
				i, ok := truncInt(math.Round(x))
				if !ok {
					return Value{}
				}
				return I(i)
			}
			p := math.Pow(10, float64(places))
			return F(math.Round(x*p) / p)
		}),
	},
	{
		Name:    "math.sqrt",
		Args:    num1,
		Result:  Float,
		Doc:     "the square root (NaN, which equals nothing, for a negative number)",
		Example: `math.sqrt(9) = 3.0`,
		Bind:    floatFunc(math.Sqrt),
	},
}
