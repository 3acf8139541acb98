#!/bin/bash
# Every translatable string of the sources (po/POTFILES) has a finished, non-fuzzy
# translation in each language of po/LINGUAS. Fails naming the strings that lack one.
#
#   check-translations.sh SOURCE_ROOT
set -euo pipefail
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$top"
xgettext --package-name=perturb --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  -f po/POTFILES -o "$tmp/perturb.pot"

status=0
for lang in $(cat po/LINGUAS); do
  msgmerge -q --no-fuzzy-matching "po/$lang.po" "$tmp/perturb.pot" -o "$tmp/$lang.po"
  stats=$(msgfmt -c --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  echo "$lang: $stats"
  if echo "$stats" | grep -qE 'untranslated|fuzzy'; then
    echo "$lang: these strings need a translation in po/$lang.po:"
    msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep '^msgid' | sed 's/^/  /'
    status=1
  fi
done
exit $status
