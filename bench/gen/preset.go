package gen

// Presets are the named corpus sizes that bench/cmd/gencorpus and
// bench/cmd/throughput take as -size, in increasing order. Sizes are of
// the decompressed archive at Seed 1.
var Presets = []struct {
	Name, About string
	Config      Config
}{
	{"small", "demo, ~8 MB", Config{Days: 2, FilesPerDay: 6, RecordsPerFile: 20, AzureRecordsPerHour: 50}},
	{"medium", "~0.1 GB", Config{Days: 1, FilesPerDay: 144, RecordsPerFile: 100, AzureRecordsPerHour: 200}},
	{"bench", "~0.4 GB", Config{Days: 2, FilesPerDay: 288, RecordsPerFile: 100, AzureRecordsPerHour: 200}},
	{"1g", "~1.2 GB", Config{Days: 6, FilesPerDay: 288, RecordsPerFile: 100, AzureRecordsPerHour: 200}},
}

// Preset returns the Config of the named preset (Seed unset).
func Preset(name string) (Config, bool) {
	for _, p := range Presets {
		if p.Name == name {
			return p.Config, true
		}
	}
	return Config{}, false
}

// PresetNames lists the presets for a flag's usage, e.g.
// "small (demo, ~8 MB), medium (~0.1 GB), bench (~0.4 GB) or 1g (~1.2 GB)".
func PresetNames() string {
	s := ""
	for i, p := range Presets {
		switch {
		case i == 0:
		case i == len(Presets)-1:
			s += " or "
		default:
			s += ", "
		}
		s += p.Name + " (" + p.About + ")"
	}
	return s
}
