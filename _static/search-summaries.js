/* Summaries for every result on the search page.
 *
 * Sphinx's search page (searchtools.js, Sphinx 9.0) shows a few lines of the
 * page under each result, taken from the element the result points to. For
 * a result from the book's index that element is the index entry's target,
 * an empty <span id="index-N">: the summary comes back null, appending it
 * throws, and the page logs one error per such result. Those results get
 * the lines of the whole page around the words searched for instead, as
 * results that point at no element do. Added to the search page, deferred,
 * by handbook/ext/search_summaries.py (which checks the Sphinx version):
 * it runs after searchtools.js and before the search (on DOMContentLoaded).
 */
"use strict";
(() => {
  const summary = Search.makeSearchSummary;
  Search.makeSearchSummary = (html, keywords, anchor) =>
    summary(html, keywords, anchor) ??
    summary(html, keywords, "") ??
    document.createTextNode("");
})();
