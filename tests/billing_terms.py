"""Small rulesets that several billing-state tests share: each has a cure window (so a
credit is held across periods), a termination trigger and a credit, the terms whose
carry a saved state must get right."""

# A miss is held one month for cure; three misses in a row give a right to terminate.
THREE_IN_A_ROW = '''contract "T" currency USD, starts 2026-01
inputs fee money
  sl percent
terminate when soa is missed 3 months in a row
service level soa measured as sl target: at least 80%
  cure: within 1 month
  credit: 2% of fee
'''

# The same terms with the right to terminate after two misses in a row.
TWO_IN_A_ROW = THREE_IN_A_ROW.replace("missed 3 months", "missed 2 months")
