// citeproc-js over a whole site's citations in one process, for bench/citeproc.py (a benchmark, not the build).
// Reads one JSON object on stdin:
//   {"locale": "<en-US locale XML>",
//    "styles": {"chicago": "<CSL>", "apa": "<CSL>", "apa_narrative": "<CSL>", "mla": "<CSL>"}  (cite.style_xml),
//    "items": [CSL-JSON, …]                      every cited item once (the discussion and each letter),
//    "apa_items": [CSL-JSON, …]                  the same items as scripts/cite.py gives them to APA (plain genre),
//    "year_suffixes": {"item id": 0, …}          APA's year suffix, explicit: 0 = "a", 1 = "b" (cite.year_suffixes),
//    "works": [["item id", paragraph or null], …]}
// and writes {"processor", "timings" (ms since the process started), "bibliography": {style: {id: entry}},
// "citations": [[Chicago note, Chicago short note, APA parenthetical, APA narrative, MLA in-text], … one per work]}
// (plain text, the forms of scripts/cite.py's FORMS; a bibliography entry is the same for every work of an item).
//
// One engine per style (and one for APA's narrative variant); every item registered once (updateItems), then each
// work's citations made alone with makeCitationCluster, its position given explicitly (first note, or a later
// "subsequent" one for Chicago's short note: CMOS 13.29), its paragraph as the locator; the bibliographies made
// once per style (makeBibliography). scripts/cite.py renders each work alone, so nothing here may depend on what
// else is cited: the APA year suffix is set from the pipeline's own (cite.year_suffixes, per discussion) instead
// of citeproc-js's disambiguation over every registered item, which would also give a discussion's forum page a
// suffix and would tell apart works of different discussions that share a title. citeproc-js has no input for a
// year suffix (it ignores the CSL-JSON "year-suffix" variable), so it is written into the registry's
// disambiguation record (registry.registry[id].disambig.year_suffix), which is what its year-suffix output reads:
// an internal of citeproc-js, not a documented API.
"use strict";
const path = require("path");
const started = performance.now();
const CSL = require(path.join(__dirname, "..", "tests", "citeproc-js", "node_modules", "citeproc"));
const timings = { required: performance.now() };

function engine(style, locale, items, suffixes) {
  const byId = new Map(items.map((item) => [item.id, item]));
  const sys = { retrieveLocale: () => locale, retrieveItem: (id) => byId.get(id) };
  const made = new CSL.Engine(sys, style, "en-US");
  made.opt.development_extensions.wrap_url_and_doi = false;  // as tests/citeproc-js/render.js
  made.setOutputFormat("text");
  return {
    made,
    register() {
      made.updateItems(items.map((item) => item.id));
      if (suffixes) {
        for (const item of items) {
          made.registry.registry[item.id].disambig.year_suffix = item.id in suffixes ? String(suffixes[item.id]) : false;
        }
      }
    },
  };
}

function bibliography(made) {
  const listed = made.makeBibliography();
  if (!listed) return {};  // no items
  const [meta, entries] = listed;
  return Object.fromEntries(meta.entry_ids.map((ids, n) => [ids[0], entries[n].trim()]));
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  timings.read = performance.now();
  const suffixes = job.year_suffixes;
  const engines = {
    chicago: engine(job.styles.chicago, job.locale, job.items),
    apa: engine(job.styles.apa, job.locale, job.apa_items, suffixes),
    narrative: engine(job.styles.apa_narrative, job.locale, job.apa_items, suffixes),
    mla: engine(job.styles.mla, job.locale, job.items),
  };
  timings.engines = performance.now();
  for (const e of Object.values(engines)) e.register();
  timings.registered = performance.now();
  const bib = { chicago: bibliography(engines.chicago.made), apa: bibliography(engines.apa.made),
                mla: bibliography(engines.mla.made) };
  timings.bibliographies = performance.now();
  const chicago = engines.chicago.made, apa = engines.apa.made, narrative = engines.narrative.made;
  const mla = engines.mla.made;
  // MLA's in-text citation has no locator (scripts/cite.py: MLA counts no unnumbered paragraphs), so it is the
  // same for every work of an item: made once per item.
  const mlaInText = new Map(job.items.map((item) => [item.id, mla.makeCitationCluster([{ id: item.id }])]));
  const citations = job.works.map(([id, paragraph]) => {
    const cite = paragraph ? { id, locator: String(paragraph), label: "paragraph" } : { id };
    return [
      chicago.makeCitationCluster([{ ...cite, position: CSL.POSITION_FIRST }]),
      chicago.makeCitationCluster([{ ...cite, position: CSL.POSITION_SUBSEQUENT }]),
      apa.makeCitationCluster([cite]),
      narrative.makeCitationCluster([cite]),
      mlaInText.get(id),
    ];
  });
  timings.citations = performance.now();
  for (const key of Object.keys(timings)) timings[key] = Math.round(timings[key] * 10) / 10;
  timings.script_start = Math.round(started * 10) / 10;
  process.stdout.write(JSON.stringify({ processor: CSL.PROCESSOR_VERSION, timings, bibliography: bib, citations }));
});
