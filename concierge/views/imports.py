from django.http import HttpResponse


def import_page(request):
    return HttpResponse("")
