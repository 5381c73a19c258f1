// Renders citations with citeproc-js, the reference CSL processor, for tests/test_cite.py, which compares them
// with what the pipeline renders with citeproc-py. Reads one JSON object on stdin:
//   {"locale": "<en-US locale XML>", "jobs": [{"style": "<CSL XML>", "items": [CSL-JSON, …],
//     "target": "item id", "locator": "3" or null, "narrative": false}, …]}
// and writes, for each job, {"bibliography": …, "first": …, "subsequent": …, "narrative": …} (plain text):
// the target's bibliography entry and its first citation (all the job's works registered and cited, so that the
// processor tells them apart itself), a later citation after another work's, and the narrative form (the
// author-only citation, then the citation without the author, as citeproc-js composes a narrative citation).
"use strict";
const CSL = require("citeproc");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { locale, jobs } = JSON.parse(input);
  const spacer = { id: "_spacer", type: "article-journal", title: "Spacer" };
  const engines = new Map();
  let items = {};
  const sys = { retrieveLocale: () => locale, retrieveItem: (id) => items[id] };
  const results = jobs.map((job) => {
    items = Object.fromEntries([...job.items, spacer].map((item) => [item.id, item]));
    if (!engines.has(job.style)) {
      const engine = new CSL.Engine(sys, job.style, "en-US");
      engine.opt.development_extensions.wrap_url_and_doi = false;
      engine.setOutputFormat("text");
      engines.set(job.style, engine);
    }
    const engine = engines.get(job.style);
    engine.rebuildProcessorState([], "text");  // no citations from an earlier job
    engine.updateItems(job.items.map((item) => item.id));
    const cite = Object.assign({ id: job.target }, job.locator ? { locator: job.locator, label: "paragraph" } : {});
    // Every work of the job is cited, in the job's order (the target with its locator), so that the processor
    // tells the target apart from them in its citations too: citeproc-js disambiguates among the works cited,
    // in the order they are first cited. Then another work, then the target again.
    const order = job.items.map((item) => (item.id === job.target ? [cite] : [{ id: item.id }]));
    const at = job.items.findIndex((item) => item.id === job.target);
    const rendered = [];
    const before = [];
    [...order, [{ id: "_spacer" }], [cite]].forEach((citationItems, n) => {
      const citation = { citationID: "c" + n, citationItems, properties: { noteIndex: n + 1 } };
      const [, changed] = engine.processCitationCluster(citation, before, []);
      for (const [index, text] of changed) rendered[index] = text;
      before.push(["c" + n, n + 1]);
    });
    const [meta, entries] = engine.makeBibliography();
    const bibliography = entries[meta.entry_ids.findIndex((ids) => ids[0] === job.target)].trim();
    const result = { bibliography, first: rendered[at], subsequent: rendered[order.length + 1] };
    if (job.narrative) {
      const only = engine.makeCitationCluster([Object.assign({ "author-only": true }, cite)]);
      const rest = engine.makeCitationCluster([Object.assign({ "suppress-author": true }, cite)]);
      result.narrative = only + " " + rest;
    }
    return result;
  });
  process.stdout.write(JSON.stringify(results));
});
