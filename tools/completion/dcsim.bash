# bash completion for dcsim (installed by `make install` as
# PREFIX/share/bash-completion/completions/dcsim)
_dcsim() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    cmd=${COMP_WORDS[1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "run check fit sweep compare report models help --version -V --help" -- "$cur")
        return
    fi
    case $prev in
        -o|--output|--csv) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
        --models) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
        --trials|--seed|-j|--jobs|--deflate|--it-mw) return ;;
    esac
    local opts="-q"
    case $cmd in
        run) opts="-o --trials --seed -j --deflate --models -q --summary" ;;
        check) opts="--models -q" ;;
        fit) opts="--it-mw -o --trials -j --models --per-site -q" ;;
        sweep) opts="-o --csv -j --resume --models -q" ;;
        models) opts="racks reactors climates --models -q" ;;
        report) opts="-q" ;;
        help) opts="run check fit sweep compare report models" ;;
    esac
    if [[ $cur == -* ]] || [ "$cmd" = models ] || [ "$cmd" = help ]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    else
        case $cmd in
            compare|report) mapfile -t COMPREPLY < <(compgen -f -X '!*.h5' -- "$cur") ;;
            *) mapfile -t COMPREPLY < <(compgen -f -X '!*.y*ml' -- "$cur") ;;
        esac
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
    fi
}
complete -F _dcsim dcsim
