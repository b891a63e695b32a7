from cerchia.cli import main

main()
