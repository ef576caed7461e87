{{ config(materialized='view') }}

-- One row per adjudicated line: the totals of its remit chain, and the columns fct_adjudicated_lines takes
-- from its first, final and denying versions (ranked by int_line_versions_valued; macro line_version_picks
-- lists them), each picked by its rank in one grouped pass. A line has exactly one first and one final
-- version; it has a denying version only when a non-reversal version denied, else the denying_ columns are
-- null. One pass rather than three joins of the versions: the joins held every version's columns in memory
-- at once, which did not fit a memory limit at a million claims; an aggregate spills. Most lines have one
-- version, which is its own first, final and denying pick: those skip the aggregate, which then groups only
-- the lines with several (at a million claims, 3% of the lines; grouping them all spilled 1.3 GB).
--   - paid_amount, denied_amount: netted over the versions the payer still stands by (is_standing);
--     denied dollars after netting are floored at 0;
--   - is_overturned: denied at first, adjudicated again, with less denied in the end.
-- A view, for analysts and the unit tests: fct_adjudicated_lines takes the same CTEs (macro
-- line_versions_picked_ctes) into its own query, with its filter to the affected patient control numbers
-- on the versions it reads, which a filter on this view's output would not reach through the grouped pass.
-- At a million claims, writing its 3M wide rows to a table and reading them back took as long again as
-- computing them, on the build's longest chain.

with

{{ line_versions_picked_ctes(ref('int_line_versions_valued')) }}

select * from lines_netted
